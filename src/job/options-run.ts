/**
 * The run options that shape how a run goes and what it leaves: the Scheduling, Output and
 * Progress groups of the run table (job/options.ts assembles it). One entry per option; see
 * job/option-def.ts for the fields.
 */
import { resolve } from 'node:path';
import type { OptionDef } from './option-def.js';
import { FORMATS } from './options-request.js';
import type { RunKey } from './spec.js';
import { decimalIn, fail, text, wholeIn } from './values.js';

const RUN = ['run'] as const;
const BOTH = ['run', 'estimate'] as const;

/** A path, made absolute against the working directory (a job file's are against the file). */
const path = (flag: string, value: unknown, ctx: { cwd: string }) =>
  text(flag, value).startsWith('s3://') ? text(flag, value) : resolve(ctx.cwd, text(flag, value));
/** Seconds as typed, milliseconds in the spec. */
const seconds = (min: number, max: number) => (flag: string, value: unknown) =>
  1000 * decimalIn(min, max)(flag, value);

export const SCHEDULING_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'concurrency',
    alias: 'c',
    key: 'concurrency',
    type: 'number',
    parse: wholeIn(1, 10_000),
    default: 8,
    group: 'Scheduling',
    commands: BOTH,
    describe: 'Most calls in flight at once',
  },
  {
    flag: 'rpm',
    key: 'rpm',
    type: 'number',
    parse: wholeIn(1, 100_000_000),
    group: 'Scheduling',
    commands: BOTH,
    describe: 'Requests per minute, spread evenly',
  },
  {
    flag: 'tpm',
    key: 'tpm',
    type: 'number',
    parse: wholeIn(1, 10_000_000_000),
    group: 'Scheduling',
    commands: BOTH,
    describe: 'Tokens per minute, counting estimated input plus max_tokens as Bedrock reserves them',
  },
  {
    flag: 'limiter',
    key: 'limiter',
    type: 'string',
    parse: limiterUrl,
    env: ['RUN_BATCH_LIMITER'],
    group: 'Scheduling',
    commands: RUN,
    describe:
      'Share --rpm/--tpm and the adaptive rate with every runner on this Redis: redis://host:port[/db]',
    defaultDescription: 'RUN_BATCH_LIMITER, else local limits only',
  },
  {
    flag: 'limiter-key',
    key: 'limiterKey',
    type: 'string',
    group: 'Scheduling',
    commands: RUN,
    describe: 'Account part of the shared limiter key (runners with the same key, region and model share)',
    defaultDescription: 'a hash of the access key id',
  },
  {
    flag: 'adaptive',
    key: 'adaptive',
    type: 'boolean',
    default: true,
    group: 'Scheduling',
    commands: RUN,
    describe: 'Slow down on throttles and speed up again (--no-adaptive to turn off)',
  },
  {
    flag: 'max-attempts',
    key: 'maxAttempts',
    type: 'number',
    parse: wholeIn(1, 100),
    default: 8,
    group: 'Scheduling',
    commands: RUN,
    describe: 'Attempts per row, the first included',
  },
  {
    flag: 'backoff-base',
    key: 'backoffBaseMs',
    type: 'number',
    parse: wholeIn(0, 600_000),
    default: 250,
    group: 'Scheduling',
    commands: RUN,
    describe: 'Backoff base in ms (full jitter: random up to base * 2^(attempt-1))',
  },
  {
    flag: 'backoff-cap',
    key: 'backoffCapMs',
    type: 'number',
    parse: wholeIn(0, 3_600_000),
    default: 20_000,
    group: 'Scheduling',
    commands: RUN,
    describe: 'Longest backoff in ms (a retry-after hint may ask for more)',
  },
  {
    flag: 'request-timeout',
    key: 'requestTimeoutMs',
    type: 'number',
    parse: seconds(0.001, 86_400),
    default: 300,
    group: 'Scheduling',
    commands: RUN,
    describe: 'Seconds one attempt may take, streaming included, before it is aborted and retried',
  },
  {
    flag: 'max-errors',
    key: 'maxErrors',
    type: 'number',
    parse: wholeIn(1),
    group: 'Scheduling',
    commands: RUN,
    describe: 'Stop (exit 3) once this many rows have failed',
  },
  {
    flag: 'max-cost',
    key: 'maxCost',
    type: 'number',
    parse: decimalIn(0, 1e12),
    group: 'Scheduling',
    commands: BOTH,
    describe: 'Budget in USD: stop admitting rows (exit 3) before the projected spend would pass it',
  },
  {
    flag: 'grace-period',
    key: 'graceMs',
    type: 'number',
    parse: seconds(0, 86_400),
    default: 30,
    group: 'Scheduling',
    commands: RUN,
    describe:
      'Seconds calls in flight may take to finish after SIGINT/SIGTERM (a second SIGINT stops at once)',
  },
];

export const OUTPUT_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'output',
    alias: 'o',
    key: 'output',
    type: 'string',
    parse: path,
    jobPath: 'path',
    group: 'Output',
    commands: RUN,
    describe: 'Results file',
    defaultDescription: '<input stem>.results.<input ext>',
  },
  {
    flag: 'output-format',
    key: 'outputFormat',
    type: 'string',
    choices: FORMATS,
    group: 'Output',
    commands: RUN,
    describe: 'Results format',
    defaultDescription: 'from the extension',
  },
  {
    flag: 'fresh',
    key: 'fresh',
    type: 'boolean',
    default: false,
    group: 'Output',
    commands: RUN,
    describe:
      'Start over: replace an existing results file instead of resuming from it (the old file is moved to <output>.previous once the first new row is written)',
  },
  {
    flag: 'keep-changed',
    key: 'keepChanged',
    type: 'boolean',
    default: false,
    group: 'Output',
    commands: RUN,
    describe:
      'On resume, keep ok answers whose request changed since (prompt, model, settings) instead of running those rows again',
  },
  {
    flag: 'pricing',
    key: 'pricing',
    type: 'string',
    parse: path,
    jobPath: 'path',
    group: 'Output',
    commands: BOTH,
    describe:
      'Pricing file (JSON or YAML, same shape as the shipped table) whose models replace or add prices',
    defaultDescription: 'the shipped table',
  },
  {
    flag: 'csv-safe',
    key: 'csvSafe',
    type: 'boolean',
    default: true,
    group: 'Output',
    commands: RUN,
    describe:
      "CSV results: a cell that would start a spreadsheet formula (=, +, -, @, tab, CR) gets a leading ' (--no-csv-safe to turn off)",
  },
  {
    flag: 'log-format',
    key: 'log.format',
    type: 'string',
    choices: ['text', 'json'],
    default: 'text',
    group: 'Progress and logs',
    commands: RUN,
    describe:
      'text: a progress bar on a terminal, else a plain line every few seconds; json: one object per line',
  },
  {
    flag: 'quiet',
    alias: 'q',
    key: 'log.quiet',
    type: 'boolean',
    default: false,
    group: 'Progress and logs',
    commands: RUN,
    describe:
      'Print errors only: no progress, no warnings (but where an old results file was moved), and the summary only when the exit code is not 0',
  },
];

/** `redis://host:port[/db]` (or `rediss://`): checked here so a typo is exit 2, not a hung run. */
function limiterUrl(flag: string, value: unknown): string {
  const raw = text(flag, value);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // fall through to the error below
  }
  const db = url?.pathname.replace(/^\//, '') ?? '';
  if (
    !url ||
    (url.protocol !== 'redis:' && url.protocol !== 'rediss:') ||
    url.hostname === '' ||
    !/^\d*$/.test(db)
  )
    return fail(flag, 'a Redis URL, redis://host:port[/db]', raw);
  return raw;
}
