/**
 * The programmatic API: build a JobSpec (from the same raw options the CLI takes) and run it.
 *
 *   const spec = resolveSpec({ input: 'tickets.csv', concurrency: '16' }, { cwd, env: process.env });
 *   const summary = await runBatch(spec, { onProgress, signal });
 *
 * Several models at once (the CLI's `-m a,b,c`): one spec per model, run together, sharing -c and
 * --max-cost:
 *
 *   const specs = resolveModels({ input: 'tickets.csv', model: 'a,b,c' }, { cwd, env }).map((r) => r.spec);
 *   const { models, exitCode } = await runModels(specs, { onProgress: (model, progress) => {} });
 *
 * Setup failures throw a RunBatchError whose `exitCode` follows the CLI's; row failures are data
 * in the results file and the summary.
 */

export { type Emulator, type EmulatorOptions, startEmulator } from './emulator/server.js';
export type { Stop, StopKind, StopReason } from './engines/stopper.js';
export { type ExitCode, ExitCode as EXIT_CODES, RunBatchError } from './errors.js';
export { modelSlug, resolveModels } from './job/models.js';
export { type RawOptions, resolveSpec } from './job/resolve.js';
export type { JobSpec } from './job/spec.js';
export { type Progress, type RunDeps, runBatch } from './run/run-batch.js';
export { type ModelRun, type ModelsDeps, type ModelsSummary, runModels } from './run/several-models.js';
export type { RunSummary } from './run/summary.js';
export type { ResultRecord } from './types.js';
