/**
 * The batch engine's settings and the pure checkers the job layer uses to build them from flags or
 * job-file keys (`--mode`, `--s3`, `--role-arn`, `--no-wait`, `--cancel`, `--batch-retry`,
 * `--batch-min-records`). Each throws an OptionValueError (USAGE, exit 2) that quotes the option and
 * the value, so src/job/file.ts can rename it to the job file's key like every other option.
 */
import { RunBatchError } from '../../errors.js';
import { fail, OptionValueError, oneOf, wholeNumber } from '../../job/values.js';
import { type BatchLimits, DEFAULT_BATCH_LIMITS, DEFAULT_POLL, type PollPolicy } from './limits.js';

export type Mode = 'ondemand' | 'batch' | 'auto';
export type BatchRetry = 'ondemand' | 'none';

export const MODES: readonly Mode[] = ['ondemand', 'batch', 'auto'];
export const BATCH_RETRIES: readonly BatchRetry[] = ['ondemand', 'none'];

/** Where inputs and outputs go: `s3://bucket/prefix/`, prefix '' or ending in '/'. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

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
  /** @default DEFAULT_BATCH_LIMITS */
  limits: BatchLimits;
  /** @default DEFAULT_POLL */
  poll: PollPolicy;
  /** Bedrock's job timeout, 24 to 168 hours; unset leaves Bedrock's default. */
  timeoutHours?: number;
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

export function parseMode(value: unknown): Mode {
  return oneOf('mode', value, MODES);
}

export function parseBatchRetry(value: unknown): BatchRetry {
  return oneOf('batch-retry', value, BATCH_RETRIES);
}

export function parseMinRecords(value: unknown): number {
  return wholeNumber('batch-min-records', value, 1);
}

// Bedrock's own S3Uri pattern (botocore bedrock/2023-04-20): a lower-case bucket name, then key
// segments of letters, digits and -!_*'(). only. A prefix outside it fails at CreateModelInvocationJob,
// after the upload, so it is refused here instead.
const BUCKET = /^[a-z0-9][-.a-z0-9]{1,61}[a-z0-9]$/;
const SEGMENT = /^[-!_*'().a-zA-Z0-9]+$/;

export function parseS3Uri(value: unknown, flag = 's3'): S3Location {
  if (typeof value !== 'string' || !value.startsWith('s3://'))
    fail(flag, 'an S3 URI such as s3://my-bucket/run-batch/', value);
  const [bucket = '', ...segments] = value.slice('s3://'.length).split('/');
  if (!BUCKET.test(bucket)) {
    throw new OptionValueError(
      flag,
      `must name a bucket of 3 to 63 lower-case letters, digits, dots and hyphens, got "${bucket}" in ${JSON.stringify(value)}`,
    );
  }
  const keys = segments.filter((s, i) => s !== '' || i < segments.length - 1);
  const bad = keys.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) {
    throw new OptionValueError(
      flag,
      `prefix segment "${bad}" in ${JSON.stringify(value)} is not allowed by Bedrock: use letters, digits and -!_*'(). between slashes`,
    );
  }
  const prefix = keys.join('/');
  if (value.length + 120 > 1024) fail(flag, 'an S3 URI of at most 900 characters', value);
  return { bucket, prefix: prefix === '' ? '' : `${prefix}/` };
}

export function s3Uri(location: S3Location, key = ''): string {
  return `s3://${location.bucket}/${location.prefix}${key}`;
}

// botocore's RoleArn pattern, with the account id required: Bedrock assumes the role, so a role
// without an account cannot be meant.
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::[0-9]{12}:role\/.+$/;

export function parseRoleArn(value: unknown): string {
  if (typeof value !== 'string' || !ROLE_ARN.test(value) || value.length > 2048)
    fail('role-arn', 'an IAM role ARN such as arn:aws:iam::123456789012:role/BedrockBatch', value);
  return value;
}

export function parseTimeoutHours(value: unknown): number {
  return wholeNumber('batch-timeout-hours', value, 24, 168);
}

/** Batch needs both places before anything is uploaded; the message says what each is for. */
export function requireBatchSetup(given: { s3?: unknown; roleArn?: unknown }, mode: Mode | 'cancel'): void {
  const why =
    mode === 'auto'
      ? '--mode auto (which may choose batch)'
      : mode === 'cancel'
        ? '--cancel'
        : '--mode batch';
  if (given.s3 === undefined)
    throw new RunBatchError(
      'USAGE',
      `${why} needs --s3 s3://bucket/prefix/, where the job's input and output files go`,
    );
  if (given.roleArn === undefined)
    throw new RunBatchError(
      'USAGE',
      `${why} needs --role-arn arn:aws:iam::<account>:role/<name>, the service role Bedrock assumes to read and write --s3`,
    );
}

/** `auto` picks batch when the job has at least the minimum record count. */
export function chooseMode(mode: Mode, rowsToRun: number, minRecords: number): 'ondemand' | 'batch' {
  if (mode === 'auto') return rowsToRun >= minRecords ? 'batch' : 'ondemand';
  return mode;
}

/** `--mode batch` with fewer rows than a job takes is refused before anything is uploaded. */
export function checkBatchSize(rowsToRun: number, minRecords: number): void {
  if (rowsToRun > 0 && rowsToRun < minRecords) {
    throw new RunBatchError(
      'INPUT',
      `--mode batch needs at least ${minRecords} rows to run (Bedrock's minimum records per job, --batch-min-records), got ${rowsToRun}; use --mode auto or --mode ondemand`,
    );
  }
}
