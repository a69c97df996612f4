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
import type { BatchOptions, BatchRetry, Mode, RunKey, S3Location } from './spec.js';
import { resolveOptions, throwProblems } from './table.js';
import { fail, OptionValueError, oneOf, wholeIn, wholeNumber } from './values.js';

export type { BatchOptions, BatchRetry, Mode, S3Location } from './spec.js';

export const MODES: readonly Mode[] = ['ondemand', 'batch', 'auto'];
export const BATCH_RETRIES: readonly BatchRetry[] = ['ondemand', 'none'];

const RUN = ['run'] as const;
const BOTH = ['run', 'estimate'] as const;

export const BATCH_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'mode',
    key: 'batch.mode',
    type: 'string',
    choices: MODES,
    default: 'ondemand',
    group: 'Batch',
    commands: BOTH,
    describe:
      'ondemand calls, Bedrock Batch Inference jobs (half price), or auto: batch from --batch-min-records rows',
  },
  {
    flag: 's3',
    key: 'batch.s3',
    type: 'string',
    parse: (flag, value) => parseS3Uri(value, flag),
    group: 'Batch',
    commands: RUN,
    describe: 'Batch: where job files go, s3://bucket/prefix/',
    defaultDescription: 'a bucket of its own with --emulate',
  },
  {
    flag: 'role-arn',
    key: 'batch.roleArn',
    type: 'string',
    parse: (_, value) => parseRoleArn(value),
    group: 'Batch',
    commands: RUN,
    describe: 'Batch: the service role Bedrock assumes',
    defaultDescription: 'a role of its own with --emulate',
  },
  {
    flag: 'wait',
    key: 'batch.wait',
    type: 'boolean',
    default: true,
    group: 'Batch',
    commands: RUN,
    describe: 'Batch: wait for the jobs (--no-wait submits, exits 5; rerun to collect)',
  },
  {
    flag: 'cancel',
    key: 'batch.cancel',
    type: 'boolean',
    default: false,
    group: 'Batch',
    commands: RUN,
    describe: "Batch: stop this output's jobs, collect what they answered, and exit 3",
  },
  {
    flag: 'batch-retry',
    key: 'batch.batchRetry',
    type: 'string',
    choices: BATCH_RETRIES,
    default: 'ondemand',
    group: 'Batch',
    commands: RUN,
    describe: 'Batch records that failed: re-run on-demand, or keep as error rows',
  },
  {
    flag: 'batch-min-records',
    key: 'batch.minRecords',
    type: 'number',
    parse: wholeIn(1),
    default: 100,
    group: 'Batch',
    commands: BOTH,
    describe: "Bedrock's minimum records per batch job (a service quota)",
  },
  {
    flag: 'batch-timeout-hours',
    key: 'batch.timeoutHours',
    type: 'number',
    parse: wholeIn(24, 168),
    group: 'Batch',
    commands: BOTH,
    describe: 'Batch: hours a job may take, 24 to 168',
    defaultDescription: "Bedrock's",
  },
];

/** With --emulate, where batch jobs' files go and the role named, unless given. */
export const EMULATOR_S3: S3Location = { bucket: 'run-batch-emulator', prefix: 'jobs/' };
export const EMULATOR_ROLE = 'arn:aws:iam::123456789012:role/run-batch-emulator';

/**
 * What batch mode needs beyond each value's own check: on the built-in emulator a bucket and a role
 * of its own stand in when not given; a run in batch mode (or `--cancel`) needs both, and each one
 * missing is a problem reported with every other bad value.
 */
export function finishBatch(options: BatchOptions, emulate: boolean, needSetup: boolean): OptionValueError[] {
  if (emulate) {
    options.s3 ??= EMULATOR_S3;
    options.roleArn ??= EMULATOR_ROLE;
  }
  // A bad --mode is reported already; what it would need is then unknown.
  if (!needSetup || options.mode === undefined || (options.mode === 'ondemand' && !options.cancel)) return [];
  return batchSetupProblems(options, options.mode === 'ondemand' ? 'cancel' : options.mode);
}

/** Checks every batch option; `--mode batch|auto` (or `--cancel`) without --s3 or --role-arn is refused. */
export function batchOptions(raw: Record<string, unknown>): BatchOptions {
  const { values, problems } = resolveOptions(BATCH_OPTIONS, raw, { cwd: process.cwd(), env: {} });
  const options = values.batch as BatchOptions;
  throwProblems([...problems, ...finishBatch(options, raw.emulate === true, true)]);
  return options;
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
export function batchSetupProblems(
  given: { s3?: unknown; roleArn?: unknown },
  mode: Mode | 'cancel',
): OptionValueError[] {
  const [option, why] =
    mode === 'auto'
      ? ['mode', 'auto (which may choose batch) needs']
      : mode === 'cancel'
        ? ['cancel', 'needs']
        : ['mode', 'batch needs'];
  const problems: OptionValueError[] = [];
  if (given.s3 === undefined)
    problems.push(
      new OptionValueError(
        option,
        `${why} --s3 s3://bucket/prefix/, where the job's input and output files go`,
      ),
    );
  if (given.roleArn === undefined)
    problems.push(
      new OptionValueError(
        option,
        `${why} --role-arn arn:aws:iam::<account>:role/<name>, the service role Bedrock assumes to read and write --s3`,
      ),
    );
  return problems;
}

/** The first of the problems above, thrown. */
export function requireBatchSetup(given: { s3?: unknown; roleArn?: unknown }, mode: Mode | 'cancel'): void {
  const [first] = batchSetupProblems(given, mode);
  if (first) throw first;
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
