/**
 * `emulator`'s options: one table, like every command's (job/option-def.ts). The command passes
 * every value, defaults included, from here; the emulator as a library (emulator/server.ts) keeps
 * fallbacks of its own for callers that start it in code, since it shares no code with this side.
 */
import type { EmulatorOptions } from '../emulator/server.js';
import type { OptionDef } from '../job/option-def.js';
import { decimalIn, fail, text, textList, wholeIn } from '../job/values.js';

const EMULATOR = ['emulator'] as const;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const EMULATOR_OPTIONS: readonly OptionDef<keyof EmulatorOptions>[] = [
  {
    flag: 'port',
    key: 'port',
    type: 'number',
    parse: wholeIn(0, 65535),
    default: 4010,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Port to listen on (0 picks a free one)',
  },
  {
    flag: 'host',
    key: 'host',
    type: 'string',
    default: '127.0.0.1',
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Address to listen on',
  },
  {
    flag: 'rpm',
    key: 'rpm',
    type: 'number',
    parse: wholeIn(0),
    default: 0,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Requests per minute per model (0 = unlimited)',
  },
  {
    flag: 'tpm',
    key: 'tpm',
    type: 'number',
    parse: wholeIn(0),
    default: 0,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Tokens per minute per model, input + max tokens reserved on arrival (0 = unlimited)',
  },
  {
    flag: 'burst-seconds',
    key: 'burstSeconds',
    type: 'number',
    parse: wholeIn(1, 3600),
    default: 10,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Seconds of quota a full bucket holds (the burst allowed after idling)',
  },
  {
    flag: 'latency-ms',
    key: 'latencyMs',
    type: 'number',
    parse: wholeIn(0),
    default: 0,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Base latency of every call',
  },
  {
    flag: 'ms-per-token',
    key: 'msPerToken',
    type: 'number',
    parse: wholeIn(0),
    default: 0,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Extra latency per output token (streams wait this before each delta)',
  },
  {
    flag: 'fail-rate',
    key: 'failRate',
    type: 'number',
    parse: decimalIn(0, 1),
    default: 0,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Probability (0 to 1) of a random fault: 500, 503, 408, dropped connection, mid-stream',
  },
  {
    flag: 'seed',
    key: 'seed',
    type: 'number',
    parse: wholeIn(0, 0xffff_ffff),
    default: 1,
    group: 'Emulator',
    commands: EMULATOR,
    describe: 'Seed of the random fault sequence',
  },
  {
    flag: 'batch-step-ms',
    key: 'batchStepMs',
    type: 'number',
    parse: wholeIn(0),
    default: 20,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'Pause between two steps of a batch job (a status change, or a slice of records)',
  },
  {
    flag: 'batch-min-records',
    key: 'batchMinRecords',
    type: 'number',
    parse: wholeIn(1),
    default: 100,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'Fewest records a batch job takes',
  },
  {
    flag: 'batch-jobs-in-flight',
    key: 'batchJobsInFlight',
    type: 'number',
    parse: wholeIn(1),
    default: 20,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'Submitted + in-progress batch jobs per model before ServiceQuotaExceededException',
  },
  {
    flag: 's3-bucket',
    key: 's3Buckets',
    type: 'list',
    parse: (flag, value) =>
      textList(flag, value).map((bucket) =>
        BUCKET.test(bucket) ? bucket : fail(flag, 'a valid S3 bucket name', bucket),
      ),
    default: [],
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'A bucket the emulator S3 has from the start (repeatable)',
  },
  {
    flag: 's3-endpoint',
    key: 's3Endpoint',
    type: 'string',
    parse: (flag, value) =>
      /^https?:\/\/[^/\s]+/.test(text(flag, value))
        ? String(value)
        : fail(flag, 'an http:// or https:// URL', value),
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'An external S3 (e.g. moto) for batch job input and output',
  },
];
