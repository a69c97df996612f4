/**
 * The batch engine's settings, built by the run from the checked batch options (job/batch-options.ts),
 * and where a key lies on S3.
 */
import type { S3Location } from '../../job/batch-options.js';
import { type BatchLimits, DEFAULT_BATCH_LIMITS, DEFAULT_POLL, type PollPolicy } from './limits.js';

export type { BatchRetry, Mode, S3Location } from '../../job/batch-options.js';
export {
  BATCH_RETRIES,
  checkBatchSize,
  chooseMode,
  MODES,
  parseBatchRetry,
  parseMinRecords,
  parseMode,
  parseRoleArn,
  parseS3Uri,
  parseTimeoutHours,
  requireBatchSetup,
} from '../../job/batch-options.js';

export interface BatchSettings {
  /** Absolute path of the results file: names the jobs and the state file beside it. */
  output: string;
  s3: S3Location;
  roleArn: string;
  /** How rows become records: Converse bodies (Converse-type jobs) or native InvokeModel bodies. */
  api: 'converse' | 'invoke';
  /** false with --no-wait: submit, collect what has already finished, and return. @default true */
  wait: boolean;
  /** --cancel: stop this output's running jobs and return. @default false */
  cancel: boolean;
  /**
   * --mode batch: new rows too few for a job, with no job owing any, are refused (exit 2) rather
   * than handed back for on-demand. @default false
   */
  strictMinimum?: boolean;
  /** @default DEFAULT_BATCH_LIMITS */
  limits: BatchLimits;
  /** @default DEFAULT_POLL */
  poll: PollPolicy;
  /** Bedrock's job timeout, 24 to 168 hours; unset leaves Bedrock's default. */
  timeoutHours?: number;
  /** `--tag` pairs a job may carry (CreateModelInvocationJob `tags`); never part of its identity. */
  tags?: Array<{ key: string; value: string }>;
}

export function batchSettings(
  given: Pick<BatchSettings, 'output' | 's3' | 'roleArn'> & Partial<BatchSettings>,
): BatchSettings {
  return {
    api: 'converse',
    wait: true,
    cancel: false,
    ...given,
    limits: { ...DEFAULT_BATCH_LIMITS, ...given.limits },
    poll: { ...DEFAULT_POLL, ...given.poll },
  };
}

export function s3Uri(location: S3Location, key = ''): string {
  return `s3://${location.bucket}/${location.prefix}${key}`;
}
