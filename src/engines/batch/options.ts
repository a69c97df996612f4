/**
 * The batch flags as rows for the run options table (src/job/options.ts), and one resolver from
 * their raw values (flags or job-file keys, as yargs or the YAML gave them) to checked options.
 * Nothing else reads them, so a flag and its job-file key cannot drift apart.
 */
import type { OptionDef } from '../../job/options.js';
import { boolean } from '../../job/values.js';
import {
  BATCH_RETRIES,
  type BatchRetry,
  MODES,
  type Mode,
  parseBatchRetry,
  parseMinRecords,
  parseMode,
  parseRoleArn,
  parseS3Uri,
  parseTimeoutHours,
  requireBatchSetup,
  type S3Location,
} from './settings.js';

export const BATCH_OPTIONS: readonly OptionDef[] = [
  {
    flag: 'mode',
    type: 'string',
    choices: MODES,
    group: 'AWS',
    describe:
      'ondemand calls, Bedrock Batch Inference jobs (half price), or auto: batch from --batch-min-records rows',
    defaultDescription: 'ondemand',
  },
  { flag: 's3', type: 'string', group: 'AWS', describe: 'Batch: where job files go, s3://bucket/prefix/' },
  { flag: 'role-arn', type: 'string', group: 'AWS', describe: 'Batch: the service role Bedrock assumes' },
  {
    flag: 'wait',
    type: 'boolean',
    group: 'AWS',
    describe: 'Batch: wait for the jobs (--no-wait submits, exits 3; rerun to collect)',
    defaultDescription: 'true',
  },
  { flag: 'cancel', type: 'boolean', group: 'AWS', describe: "Batch: stop this output's jobs and exit 3" },
  {
    flag: 'batch-retry',
    type: 'string',
    choices: BATCH_RETRIES,
    group: 'AWS',
    describe: 'Batch records that failed: re-run on-demand, or keep as error rows',
    defaultDescription: 'ondemand',
  },
  {
    flag: 'batch-min-records',
    type: 'number',
    group: 'AWS',
    describe: "Bedrock's minimum records per batch job (a service quota)",
    defaultDescription: '100',
  },
  {
    flag: 'batch-timeout-hours',
    type: 'number',
    group: 'AWS',
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
  if (given(raw, 'batch-timeout-hours')) options.timeoutHours = parseTimeoutHours(raw['batch-timeout-hours']);
  if (options.mode !== 'ondemand' || options.cancel)
    requireBatchSetup(options, options.mode === 'ondemand' ? 'cancel' : options.mode);
  return options;
}
