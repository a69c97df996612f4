/**
 * Every run option, defined once: the run table. `run` and `estimate` take the entries that name
 * them; job files accept every entry's flag as a key. The CLI's parser, --help, the resolver
 * (job/resolve.ts), job-file keys, shell completion, the man page and docs/options.md are derived
 * from it, so adding an option is adding one entry (see job/option-def.ts for the fields).
 * Values arrive as raw strings (or booleans) and each entry's check quotes exactly what was typed.
 */
import { BATCH_OPTIONS } from './batch-options.js';
import { endpointUrl, region } from './checks.js';
import { GUARDRAIL_OPTIONS } from './guardrail-options.js';
import { JUDGE_OPTIONS } from './judge-options.js';
import { LEDGER_OPTIONS } from './ledger-options.js';
import { METRICS_OPTIONS } from './metrics-options.js';
import type { OptionDef } from './option-def.js';
import { INPUT_OPTIONS, MODEL_OPTIONS } from './options-request.js';
import { OUTPUT_OPTIONS, SCHEDULING_OPTIONS } from './options-run.js';
import { S3_OPTIONS } from './s3-options.js';
import { SCORE_OPTIONS } from './score-options.js';
import { SLICE_OPTIONS } from './slice-options.js';
import type { RunKey } from './spec.js';
import { TAG_OPTIONS } from './tag-options.js';

export type { Command, OptionDef, OptionGroup, OptionType } from './option-def.js';
export { APIS, FORMATS, SERVICE_TIERS } from './options-request.js';

const BOTH = ['run', 'estimate'] as const;

/** `--job`: read by job/file.ts before anything else, so it has no key and is no job-file key. */
export const JOB_OPTION: OptionDef = {
  flag: 'job',
  type: 'string',
  group: 'Job',
  commands: BOTH,
  describe: 'Job file (YAML or JSON): every option as a key, paths relative to it; flags override',
};

const AWS_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'region',
    key: 'region',
    type: 'string',
    parse: region,
    env: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    default: 'us-east-1',
    group: 'AWS',
    commands: BOTH,
    describe: 'AWS region',
  },
  {
    flag: 'profile',
    key: 'profile',
    type: 'string',
    group: 'AWS',
    commands: BOTH,
    describe: 'AWS shared-config profile',
  },
  {
    flag: 'endpoint',
    key: 'endpoint',
    type: 'string',
    parse: endpointUrl,
    env: ['AWS_ENDPOINT_URL_BEDROCK_RUNTIME'],
    conflicts: { flag: 'emulate', why: 'the built-in emulator is the endpoint' },
    group: 'AWS',
    commands: BOTH,
    describe: 'Bedrock Runtime endpoint URL',
    defaultDescription: "AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else AWS's",
  },
  {
    flag: 'emulate',
    key: 'emulate',
    type: 'boolean',
    default: false,
    group: 'AWS',
    commands: BOTH,
    describe: 'Start the built-in Bedrock emulator in this process and send every call there',
  },
];

/** The run table: every option `run` and `estimate` take, and every job-file key. */
export const RUN_OPTIONS: readonly OptionDef<RunKey>[] = [
  ...INPUT_OPTIONS,
  ...SLICE_OPTIONS,
  ...MODEL_OPTIONS,
  ...GUARDRAIL_OPTIONS,
  ...TAG_OPTIONS,
  ...AWS_OPTIONS,
  ...SCHEDULING_OPTIONS,
  ...OUTPUT_OPTIONS,
  ...BATCH_OPTIONS,
  ...LEDGER_OPTIONS,
  ...SCORE_OPTIONS,
  ...METRICS_OPTIONS,
  ...JUDGE_OPTIONS,
  ...S3_OPTIONS,
];
