/**
 * Bedrock Batch Inference limits, in one table. These are per-model service quotas an account can
 * raise (the defaults commonly cited for Bedrock; none verified per model: see the README's batch section),
 * so every value can be overridden through BatchSettings.limits.
 */

export interface BatchLimits {
  /** Records in one input file. @default 50000 */
  recordsPerFile: number;
  /** Records in one job (all its files). @default 50000 */
  recordsPerJob: number;
  /** Bytes in one input file. @default 1 GB */
  bytesPerFile: number;
  /** Bytes in one job. @default 5 GB */
  bytesPerJob: number;
  /** Submitted plus in-progress jobs per model; more wait for a slot. @default 20 */
  jobsInFlightPerModel: number;
  /** The fewest records Bedrock accepts in a job. @default 100 */
  minRecordsPerJob: number;
}

const GB = 1024 ** 3;

export const DEFAULT_BATCH_LIMITS: Readonly<BatchLimits> = Object.freeze({
  recordsPerFile: 50_000,
  recordsPerJob: 50_000,
  bytesPerFile: 1 * GB,
  bytesPerJob: 5 * GB,
  jobsInFlightPerModel: 20,
  minRecordsPerJob: 100,
});

/** How often to ask Bedrock about a job: exponential from `firstMs` up to `maxMs`. */
export interface PollPolicy {
  /** @default 5000 */
  firstMs: number;
  /** @default 60000 */
  maxMs: number;
  /** @default 1.5 */
  factor: number;
}

export const DEFAULT_POLL: Readonly<PollPolicy> = Object.freeze({
  firstMs: 5_000,
  maxMs: 60_000,
  factor: 1.5,
});

/** The wait before poll number `round` (from 0). */
export function pollDelayMs(round: number, policy: PollPolicy): number {
  return Math.min(policy.maxMs, Math.round(policy.firstMs * policy.factor ** round));
}
