/**
 * `emulator`'s options: one table, like every command's (job/option-def.ts). The command passes
 * every value, defaults included, from here; the emulator as a library (emulator/server.ts) keeps
 * fallbacks of its own for callers that start it in code, since it shares no code with this side.
 */
import type { EmulatorOptions } from '../emulator/server.js';
import type { OptionDef } from '../job/option-def.js';
import { decimalIn, fail, text, textList, wholeIn } from '../job/values.js';

const EMULATOR = ['emulator'] as const;

const GUARDRAIL_ACTIONS = [
  'CreateGuardrail',
  'GetGuardrail',
  'ListGuardrails',
  'UpdateGuardrail',
  'CreateGuardrailVersion',
  'DeleteGuardrail',
];

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
    flag: 'batch-records-per-step',
    key: 'batchRecordsPerStep',
    type: 'number',
    parse: wholeIn(1),
    default: 100,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'Records a batch job answers per step (1 with a slow step: a stop lands mid-file)',
  },
  {
    flag: 'batch-hold-at',
    key: 'batchHoldAt',
    type: 'number',
    parse: wholeIn(1),
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'A batch job waits after answering this many records until it is stopped (a stop mid-file)',
  },
  {
    flag: 'batch-refuse-profile-only',
    key: 'batchRefuseProfileOnly',
    type: 'boolean',
    default: false,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: "Refuse a batch job on a profile-only model's base id at create (ValidationException)",
  },
  {
    flag: 'batch-output-flat',
    key: 'batchOutputFlat',
    type: 'boolean',
    default: false,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: "Write a job's output directly under its output prefix, not in a <job id>/ folder",
  },
  {
    flag: 'batch-control-fail-rate',
    key: 'batchControlFailRate',
    type: 'number',
    parse: decimalIn(0, 1),
    default: 0,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'Create/Get/List answer throttles and 500s at this rate (0 to 1, --seed)',
  },
  {
    flag: 'batch-create-lost-replies',
    key: 'batchCreateLostReplies',
    type: 'number',
    parse: wholeIn(0),
    default: 0,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'The first N Creates make the job, then answer 500 (an orphan if the client creates again)',
  },
  {
    flag: 's3-upload-fail-rate',
    key: 's3UploadFailRate',
    type: 'number',
    parse: decimalIn(0, 1),
    default: 0,
    group: 'Emulator batch',
    commands: EMULATOR,
    describe: 'S3 uploads (PUT, multipart) answer 500 at this rate (0 to 1, --seed)',
  },
  {
    flag: 'require-guardrail',
    key: 'requireGuardrail',
    type: 'boolean',
    default: false,
    group: 'Emulator guardrails',
    commands: EMULATOR,
    describe:
      'Deny every model call that names no guardrail (403 AccessDeniedException), as an IAM condition on bedrock:GuardrailIdentifier does',
  },
  {
    flag: 'deny-guardrail-action',
    key: 'deniedGuardrailActions',
    type: 'list',
    parse: (flag, value) =>
      textList(flag, value).map((action) =>
        GUARDRAIL_ACTIONS.includes(action)
          ? action
          : fail(flag, `one of ${GUARDRAIL_ACTIONS.join(', ')}`, action),
      ),
    default: [],
    group: 'Emulator guardrails',
    commands: EMULATOR,
    describe:
      'A guardrail control-plane action answered 403 AccessDeniedException, as for a role without it (repeatable), e.g. GetGuardrail',
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
