/**
 * The run options that shape what is sent: the Input and Model groups of the run table
 * (job/options.ts assembles it). One entry per option; see job/option-def.ts for the fields.
 */
import { ANSWER_OPTIONS } from './answer-options.js';
import { checkedTemplate, modelId } from './checks.js';
import type { OptionDef } from './option-def.js';
import type { RunKey } from './spec.js';
import { decimalIn, fail, oneOf, text, textOrFile, wholeIn } from './values.js';

export const APIS = ['converse', 'invoke'] as const;
export const FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export const SERVICE_TIERS = ['default', 'priority', 'flex'] as const;

const RUN = ['run'] as const;
const BOTH = ['run', 'estimate'] as const;

/** `--cache-system` alone (or `cache-system: true` in a job file) is 5m; `false` is off. */
function cacheSystem(flag: string, value: unknown): '5m' | '1h' | undefined {
  if (value === false) return undefined;
  if (value === true || value === '') return '5m';
  return oneOf(flag, value, ['5m', '1h'] as const);
}

export const INPUT_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'input-format',
    key: 'inputFormat',
    type: 'string',
    choices: FORMATS,
    group: 'Input',
    commands: BOTH,
    describe: 'Input format',
    defaultDescription: 'from the extension',
  },
  {
    flag: 'allow-empty',
    key: 'allowEmpty',
    type: 'boolean',
    default: false,
    group: 'Input',
    commands: BOTH,
    describe:
      'An input with no rows (0 bytes, or a header only) is a warning and exit 0, not an input error (exit 2)',
  },
  {
    flag: 'prompt-column',
    key: 'promptColumn',
    type: 'string',
    default: 'prompt',
    conflicts: { flag: 'template', why: 'the template builds the prompt' },
    group: 'Input',
    commands: BOTH,
    describe: 'Column holding the prompt',
  },
  {
    flag: 'template',
    key: 'template',
    type: 'string',
    parse: (flag, value, ctx) => checkedTemplate(flag, value, ctx.cwd),
    jobPath: 'at-file',
    group: 'Input',
    commands: BOTH,
    describe: "Mustache template over the row's columns, e.g. 'Summarize: {{text}}', or @file",
  },
  {
    flag: 'system',
    key: 'system',
    type: 'string',
    parse: (flag, value, ctx) => textOrFile(flag, value, ctx.cwd),
    jobPath: 'at-file',
    group: 'Input',
    commands: BOTH,
    describe: 'System prompt, or @file; a "system" column overrides it per row',
  },
  {
    flag: 'id-column',
    key: 'idColumn',
    type: 'string',
    group: 'Input',
    commands: BOTH,
    describe: 'Column holding the row id',
    defaultDescription: 'id, else the row number',
  },
  {
    flag: 'shard',
    key: 'shard',
    type: 'string',
    parse: shardOption,
    group: 'Input',
    commands: BOTH,
    describe: 'Run only shard i of N (i from 1): the rows whose id hashes there, e.g. 2/3',
  },
];

export const MODEL_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'model',
    alias: 'm',
    key: 'model',
    type: 'string',
    parse: (flag, value, ctx) => modelId(flag, value, ctx.env),
    default: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
    group: 'Model',
    commands: BOTH,
    describe: 'Model id, inference profile id or ARN; a "model" column overrides it per row',
  },
  {
    flag: 'max-tokens',
    key: 'maxTokens',
    type: 'number',
    parse: wholeIn(1, 1_000_000),
    default: 512,
    group: 'Model',
    commands: BOTH,
    describe: 'Most output tokens per call',
  },
  {
    flag: 'temperature',
    key: 'temperature',
    type: 'number',
    parse: decimalIn(0, 1),
    group: 'Model',
    commands: BOTH,
    describe: 'Sampling temperature, 0 to 1',
  },
  {
    flag: 'top-p',
    key: 'topP',
    type: 'number',
    parse: decimalIn(0, 1),
    group: 'Model',
    commands: BOTH,
    describe: 'Nucleus sampling, 0 to 1',
  },
  {
    flag: 'top-k',
    key: 'topK',
    type: 'number',
    parse: wholeIn(0, 1_000_000),
    group: 'Model',
    commands: BOTH,
    describe: 'Top-k sampling (sent as a model field)',
  },
  {
    flag: 'stop',
    key: 'stop',
    type: 'list',
    default: [],
    group: 'Model',
    commands: BOTH,
    describe: 'Stop sequence (repeatable)',
  },
  {
    flag: 'api',
    key: 'api',
    type: 'string',
    choices: APIS,
    default: 'converse',
    group: 'Model',
    commands: BOTH,
    describe: "Converse, or InvokeModel with each family's native body",
  },
  {
    flag: 'stream',
    key: 'stream',
    type: 'boolean',
    default: false,
    group: 'Model',
    commands: RUN,
    describe: 'Use ConverseStream / InvokeModelWithResponseStream and record first_token_ms',
  },
  {
    flag: 'service-tier',
    key: 'serviceTier',
    type: 'string',
    choices: SERVICE_TIERS,
    group: 'Model',
    commands: BOTH,
    describe:
      'Bedrock service tier: flex (about half price, served when there is room), priority (about 1.75x, served first); a "service_tier" column overrides it per row',
    defaultDescription: 'default',
  },
  {
    flag: 'cache-system',
    key: 'cacheSystem',
    type: 'string',
    choices: ['5m', '1h'],
    parse: cacheSystem,
    group: 'Model',
    commands: BOTH,
    describe:
      'Cache the system prompt for rows that share it: a cache point after it, kept 5m or 1h; later rows read it at about a tenth of the input price',
    defaultDescription: 'off; 5m when given without a value',
  },
  ...ANSWER_OPTIONS,
];

/** `i/N` with 1 <= i <= N. */
function shardOption(flag: string, value: unknown): { index: number; count: number } {
  const raw = typeof value === 'number' ? String(value) : text(flag, value);
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count || count > 1_000_000)
    return fail(flag, 'i/N with i from 1 to N, e.g. 2/3', raw);
  return { index, count };
}
