/**
 * The batch engine's entry points, for the job layer and the run command:
 * - `runBatchJobs(rows, settings, deps)` runs rows through Bedrock Batch Inference;
 * - `batchSettings` and the option checkers (`parseMode`, `parseS3Uri`, `parseRoleArn`, ...) build
 *   its settings from flags and job-file keys;
 * - `createBatchClients` builds the control-plane and S3 clients from the standard chain.
 */

export { BATCH_OPTIONS, type BatchOptions, batchOptions } from '../../job/batch-options.js';
export { type BatchClientOptions, type BatchClients, createBatchClients } from './clients.js';
export {
  type BatchDeps,
  type BatchJobsResult,
  type FinishedRow,
  type JobProgress,
  runBatchJobs,
} from './jobs.js';
export { type BatchLimits, DEFAULT_BATCH_LIMITS, DEFAULT_POLL, type PollPolicy } from './limits.js';
export { statePath } from './names.js';
export { BatchCode, type BatchOutcome } from './outcome.js';
export { type BatchRow, indexOfRecord, recordId } from './records.js';
export * from './settings.js';
export { removeState } from './state.js';
