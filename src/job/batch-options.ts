/**
 * Batch mode's options (`--mode`, `--s3`, `--role-arn`, `--no-wait`, `--cancel`, `--batch-retry`,
 * `--batch-min-records`, `--batch-timeout-hours`): their rows in the run options table, the pure
 * checkers (each throws an OptionValueError that quotes the option and the value, so a job file's
 * key can be named instead), and one resolver from
 * their raw values (flags or job-file keys, as yargs or the YAML gave them) to checked options.
 * Nothing else reads them, so a flag and its job-file key cannot drift apart.
 */
import { RunBatchError } from '../errors.js';
import type { OptionDef } from './option-def.js';
import { boolean, fail, OptionValueError, oneOf, wholeNumber } from './values.js';

export type Mode = 'ondemand' | 'batch' | 'auto';
export type BatchRetry = 'ondemand' | 'none';

export const MODES: readonly Mode[] = ['ondemand', 'batch', 'auto'];
export const BATCH_RETRIES: readonly BatchRetry[] = ['ondemand', 'none'];

export const BATCH_OPTIONS: readonly OptionDef[] = [
  {
    flag: 'mode',
    type: 'string',
    choices: MODES,
    group: 'Batch',
    describe:
      'ondemand calls, Bedrock Batch Inference jobs (half price), or auto: batch from --batch-min-records rows',
    defaultDescription: 'ondemand',
  },
  { flag: 's3', type: 'string', group: 'Batch', describe: 'Batch: where job files go, s3://bucket/prefix/' },
  { flag: 'role-arn', type: 'string', group: 'Batch', describe: 'Batch: the service role Bedrock assumes' },
  {
    flag: 'wait',
    type: 'boolean',
    group: 'Batch',
    describe: 'Batch: wait for the jobs (--no-wait submits, exits 5; rerun to collect)',
    defaultDescription: 'true',
  },
  { flag: 'cancel', type: 'boolean', group: 'Batch', describe: "Batch: stop this output's jobs and exit 3" },
  {
    flag: 'batch-retry',
    type: 'string',
    choices: BATCH_RETRIES,
    group: 'Batch',
    describe: 'Batch records that failed: re-run on-demand, or keep as error rows',
    defaultDescription: 'ondemand',
  },
  {
    flag: 'batch-min-records',
    type: 'number',
    group: 'Batch',
    describe: "Bedrock's minimum records per batch job (a service quota)",
    defaultDescription: '100',
  },
  {
    flag: 'batch-timeout-hours',
    type: 'number',
    group: 'Batch',
    describe: 'Batch: hours a job may take, 24 to 168',
    defaultDescription: "Bedrock's",
  },
];

export interface BatchOptions {
  /** @default 'ondemand' */
  mode: Mode;
  s3?: S3Location;
  roleArn?: string;
  /** @default true */
  wait: boolean;
  /** @default false */
  cancel: boolean;
  /** @default 'ondemand' */
  batchRetry: BatchRetry;
  /** @default 100 */
  minRecords: number;
  timeoutHours?: number;
}

/** With --emulate, where batch jobs' files go and the role named, unless given. */
export const EMULATOR_S3: S3Location = { bucket: 'run-batch-emulator', prefix: 'jobs/' };
export const EMULATOR_ROLE = 'arn:aws:iam::123456789012:role/run-batch-emulator';

const given = (raw: Record<string, unknown>, key: string) => raw[key] !== undefined;

/** Checks every batch option; `--mode batch|auto` (or `--cancel`) without --s3 or --role-arn is refused. */
export function batchOptions(raw: Record<string, unknown>): BatchOptions {
  const options: BatchOptions = {
    mode: given(raw, 'mode') ? parseMode(raw.mode) : 'ondemand',
    wait: given(raw, 'wait') ? boolean('wait', raw.wait) : true,
    cancel: given(raw, 'cancel') ? boolean('cancel', raw.cancel) : false,
    batchRetry: given(raw, 'batch-retry') ? parseBatchRetry(raw['batch-retry']) : 'ondemand',
    minRecords: given(raw, 'batch-min-records') ? parseMinRecords(raw['batch-min-records']) : 100,
  };
  if (given(raw, 's3')) options.s3 = parseS3Uri(raw.s3);
  if (given(raw, 'role-arn')) options.roleArn = parseRoleArn(raw['role-arn']);
  // On the built-in emulator nothing is real: a bucket and a role of its own stand in when not given.
  if (raw.emulate === true) {
    options.s3 ??= EMULATOR_S3;
    options.roleArn ??= EMULATOR_ROLE;
  }
  if (given(raw, 'batch-timeout-hours')) options.timeoutHours = parseTimeoutHours(raw['batch-timeout-hours']);
  if (options.mode !== 'ondemand' || options.cancel)
    requireBatchSetup(options, options.mode === 'ondemand' ? 'cancel' : options.mode);
  return options;
}

/** Where inputs and outputs go: `s3://bucket/prefix/`, prefix '' or ending in '/'. */
export interface S3Location {
  bucket: string;
  prefix: string;
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
