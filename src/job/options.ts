/**
 * Every run option, defined once. The CLI builds its yargs options from this table and job files
 * accept the same keys, so a flag and a job-file key can never drift apart.
 * Values arrive as raw strings (or booleans) and are checked in one place, `resolveSpec`, so every
 * error message can quote exactly what the user typed.
 */

import { BATCH_OPTIONS } from './batch-options.js';
import { LEDGER_OPTIONS } from './ledger-options.js';
import type { OptionDef } from './option-def.js';

export type { OptionDef, OptionType } from './option-def.js';

/**
 * Every default, once: resolveSpec applies these, --help shows them, and JobSpec's JSDoc points
 * here. Claude Haiku 4.5 through the global. profile: a current model a new account can call on
 * demand, from any commercial region, without the regional profiles' 10% premium.
 */
export const DEFAULTS = {
  model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  promptColumn: 'prompt',
  maxTokens: 512,
  region: 'us-east-1',
  api: 'converse',
  concurrency: 8,
  maxAttempts: 8,
  backoffBaseMs: 250,
  backoffCapMs: 20_000,
  requestTimeoutSeconds: 300,
  gracePeriodSeconds: 30,
  emulatorPort: 4010,
} as const;

export const APIS = ['converse', 'invoke'] as const;
export const FORMATS = ['csv', 'jsonl'] as const;

export const RUN_OPTIONS: readonly OptionDef[] = [
  {
    flag: 'input-format',
    type: 'string',
    choices: FORMATS,
    group: 'Input',
    describe: 'Input format',
    defaultDescription: 'from the extension',
  },
  {
    flag: 'prompt-column',
    type: 'string',
    group: 'Input',
    describe: 'Column holding the prompt',
    defaultDescription: DEFAULTS.promptColumn,
  },
  {
    flag: 'template',
    type: 'string',
    group: 'Input',
    describe: "Mustache template over the row's columns, e.g. 'Summarize: {{text}}', or @file",
  },
  {
    flag: 'system',
    type: 'string',
    group: 'Input',
    describe: 'System prompt, or @file; a "system" column overrides it per row',
  },
  {
    flag: 'id-column',
    type: 'string',
    group: 'Input',
    describe: 'Column holding the row id',
    defaultDescription: 'id, else the row number',
  },
  {
    flag: 'attach',
    type: 'list',
    group: 'Input',
    describe:
      'Column holding files to send with the prompt (repeatable): paths relative to the input file or s3:// URIs, several separated by ";"',
  },
  {
    flag: 'json-schema',
    type: 'string',
    group: 'Model',
    describe: 'JSON Schema (JSON or YAML) every answer must match; CSV results get json_<property> columns',
  },
  {
    flag: 'json-mode',
    type: 'string',
    choices: ['auto', 'native', 'tool'],
    group: 'Model',
    describe:
      'How the schema is sent: native structured output, one forced tool, or auto (native where the model has it)',
    defaultDescription: 'auto',
  },
  {
    flag: 'json-retries',
    type: 'number',
    group: 'Model',
    describe:
      'Retries of an answer that is not JSON, does not match, or was cut off, before the row is an error',
    defaultDescription: '2',
  },
  {
    flag: 'model',
    alias: 'm',
    type: 'string',
    group: 'Model',
    describe: 'Model id, inference profile id or ARN; a "model" column overrides it per row',
    defaultDescription: DEFAULTS.model,
  },
  {
    flag: 'max-tokens',
    type: 'number',
    group: 'Model',
    describe: 'Most output tokens per call',
    defaultDescription: String(DEFAULTS.maxTokens),
  },
  { flag: 'temperature', type: 'number', group: 'Model', describe: 'Sampling temperature, 0 to 1' },
  { flag: 'top-p', type: 'number', group: 'Model', describe: 'Nucleus sampling, 0 to 1' },
  { flag: 'top-k', type: 'number', group: 'Model', describe: 'Top-k sampling (sent as a model field)' },
  { flag: 'stop', type: 'list', group: 'Model', describe: 'Stop sequence (repeatable)' },
  {
    flag: 'api',
    type: 'string',
    choices: APIS,
    group: 'Model',
    describe: "Converse, or InvokeModel with each family's native body",
    defaultDescription: DEFAULTS.api,
  },
  {
    flag: 'stream',
    type: 'boolean',
    group: 'Model',
    describe: 'Use ConverseStream / InvokeModelWithResponseStream and record first_token_ms',
  },
  {
    flag: 'service-tier',
    type: 'string',
    choices: ['default', 'priority', 'flex'],
    group: 'Model',
    describe:
      'Bedrock service tier: flex (about half price, served when there is room), priority (about 1.75x, served first); a "service_tier" column overrides it per row',
    defaultDescription: 'default',
  },
  {
    flag: 'cache-system',
    type: 'string',
    group: 'Model',
    describe:
      'Cache the system prompt for rows that share it: a cache point after it, kept 5m (default) or 1h; later rows read it at about a tenth of the input price',
    defaultDescription: 'off; 5m when given without a value',
  },
  {
    flag: 'region',
    type: 'string',
    group: 'AWS',
    describe: 'AWS region',
    defaultDescription: `AWS_REGION, else ${DEFAULTS.region}`,
  },
  { flag: 'profile', type: 'string', group: 'AWS', describe: 'AWS shared-config profile' },
  {
    flag: 'endpoint',
    type: 'string',
    group: 'AWS',
    describe: 'Bedrock Runtime endpoint URL',
    defaultDescription: 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else AWS',
  },
  {
    flag: 'emulate',
    type: 'boolean',
    group: 'AWS',
    describe: 'Start the built-in Bedrock emulator in this process and send every call there',
  },
  {
    flag: 'concurrency',
    alias: 'c',
    type: 'number',
    group: 'Scheduling',
    describe: 'Most calls in flight at once',
    defaultDescription: String(DEFAULTS.concurrency),
  },
  { flag: 'rpm', type: 'number', group: 'Scheduling', describe: 'Requests per minute, spread evenly' },
  {
    flag: 'tpm',
    type: 'number',
    group: 'Scheduling',
    describe: 'Tokens per minute, counting estimated input plus max_tokens as Bedrock reserves them',
  },
  {
    flag: 'limiter',
    type: 'string',
    group: 'Scheduling',
    describe:
      'Share --rpm/--tpm and the adaptive rate with every runner on this Redis: redis://host:port[/db]',
    defaultDescription: 'RUN_BATCH_LIMITER, else local limits only',
  },
  {
    flag: 'limiter-key',
    type: 'string',
    group: 'Scheduling',
    describe: 'Account part of the shared limiter key (runners with the same key, region and model share)',
    defaultDescription: 'a hash of the access key id',
  },
  {
    flag: 'shard',
    type: 'string',
    group: 'Input',
    describe: 'Run only shard i of N (i from 1): the rows whose id hashes there, e.g. 2/3',
  },
  {
    flag: 'adaptive',
    type: 'boolean',
    group: 'Scheduling',
    describe: 'Slow down on throttles and speed up again (--no-adaptive to turn off)',
    defaultDescription: 'on',
  },
  {
    flag: 'max-attempts',
    type: 'number',
    group: 'Scheduling',
    describe: 'Attempts per row, the first included',
    defaultDescription: String(DEFAULTS.maxAttempts),
  },
  {
    flag: 'backoff-base',
    type: 'number',
    group: 'Scheduling',
    describe: 'Backoff base in ms (full jitter: random up to base * 2^(attempt-1))',
    defaultDescription: String(DEFAULTS.backoffBaseMs),
  },
  {
    flag: 'backoff-cap',
    type: 'number',
    group: 'Scheduling',
    describe: 'Longest backoff in ms (a retry-after hint may ask for more)',
    defaultDescription: String(DEFAULTS.backoffCapMs),
  },
  {
    flag: 'request-timeout',
    type: 'number',
    group: 'Scheduling',
    describe: 'Seconds one attempt may take, streaming included, before it is aborted and retried',
    defaultDescription: String(DEFAULTS.requestTimeoutSeconds),
  },
  {
    flag: 'max-errors',
    type: 'number',
    group: 'Scheduling',
    describe: 'Stop (exit 3) once this many rows have failed',
  },
  {
    flag: 'max-cost',
    type: 'number',
    group: 'Scheduling',
    describe: 'Budget in USD: stop admitting rows (exit 3) before the projected spend would pass it',
  },
  {
    flag: 'grace-period',
    type: 'number',
    group: 'Scheduling',
    describe:
      'Seconds calls in flight may take to finish after SIGINT/SIGTERM (a second SIGINT stops at once)',
    defaultDescription: String(DEFAULTS.gracePeriodSeconds),
  },
  {
    flag: 'output',
    alias: 'o',
    type: 'string',
    group: 'Output',
    describe: 'Results file',
    defaultDescription: '<input stem>.results.<input ext>',
  },
  {
    flag: 'output-format',
    type: 'string',
    choices: FORMATS,
    group: 'Output',
    describe: 'Results format',
    defaultDescription: 'from the extension',
  },
  {
    flag: 'fresh',
    type: 'boolean',
    group: 'Output',
    describe:
      'Start over: replace an existing results file instead of resuming from it (the old file is moved to <output>.previous once the first new row is written)',
  },
  {
    flag: 'keep-changed',
    type: 'boolean',
    group: 'Output',
    describe:
      'On resume, keep ok answers whose request changed since (prompt, model, settings) instead of running those rows again',
  },
  {
    flag: 'pricing',
    type: 'string',
    group: 'Output',
    describe:
      'Pricing file (JSON or YAML, same shape as the shipped table) whose models replace or add prices',
    defaultDescription: 'the shipped table',
  },
  {
    flag: 'csv-safe',
    type: 'boolean',
    group: 'Output',
    describe:
      "CSV results: a cell that would start a spreadsheet formula (=, +, -, @, tab, CR) gets a leading ' (--no-csv-safe to turn off)",
    defaultDescription: 'on',
  },
  {
    flag: 'log-format',
    type: 'string',
    choices: ['text', 'json'],
    group: 'Progress and logs',
    describe:
      'text: a progress bar on a terminal, else a plain line every few seconds; json: one object per line',
    defaultDescription: 'text',
  },
  {
    flag: 'quiet',
    alias: 'q',
    type: 'boolean',
    group: 'Progress and logs',
    describe: 'Print errors only: no progress, no warnings, and the summary only when the exit code is not 0',
  },
  ...BATCH_OPTIONS,
  ...LEDGER_OPTIONS,
];
