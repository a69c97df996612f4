/**
 * Turns raw option values (from flags and job files) into a validated JobSpec.
 * This is the only place option values are checked.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { RunBatchError } from '../errors.js';
import { answerOptions } from './answer-options.js';
import { batchOptions } from './batch-options.js';
import { checkedTemplate, endpointUrl, modelId, region } from './checks.js';
import { ledgerOptions } from './ledger-options.js';
import { APIS, DEFAULTS, FORMATS } from './options.js';
import type { Format, JobSpec } from './spec.js';
import {
  decimal,
  fail,
  OptionValueError,
  OptionValueErrors,
  oneOf,
  text,
  textList,
  textOrFile,
  wholeNumber,
} from './values.js';

export type RawOptions = Record<string, unknown>;

export interface ResolveContext {
  /** Directory relative paths are resolved against. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function formatFromPath(path: string): Format | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

/** `<stem>.results.<ext>` beside the input; the extension follows the output format when one is forced. */
export function defaultOutputPath(input: string, outputFormat?: Format): string {
  const ext = extname(input);
  const stem = basename(input, ext);
  const keepExt = outputFormat === undefined || formatFromPath(input) === outputFormat;
  const outExt = keepExt ? ext : `.${outputFormat}`;
  return join(dirname(input), `${stem}.results${outExt}`);
}

function given(raw: RawOptions, key: string): boolean {
  return raw[key] !== undefined && raw[key] !== null;
}

export function resolveSpec(raw: RawOptions, ctx: ResolveContext): JobSpec {
  const input = inputPath(raw, ctx);
  // Every option is checked, and every bad one reported at once (the README promises a job file
  // is reported whole); `v` keeps checking past a bad value and hands back a stand-in.
  const problems: OptionValueError[] = [];
  const v = <T>(check: () => T, standIn: T): T => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof OptionValueError)) throw error;
      problems.push(error);
      return standIn;
    }
  };

  const inputFormat = given(raw, 'input-format')
    ? v(() => oneOf('input-format', raw['input-format'], FORMATS), 'csv')
    : formatFromPath(input);
  const forcedOutputFormat = given(raw, 'output-format')
    ? v(() => oneOf('output-format', raw['output-format'], FORMATS), undefined)
    : undefined;
  const output = given(raw, 'output')
    ? resolve(
        ctx.cwd,
        v(() => text('output', raw.output), ''),
      )
    : defaultOutputPath(input, forcedOutputFormat);
  const outputFormat = forcedOutputFormat ?? formatFromPath(output);

  const spec: JobSpec = {
    input,
    inputFormat: inputFormat ?? 'csv',
    output,
    outputFormat: outputFormat ?? 'csv',
    promptColumn: given(raw, 'prompt-column')
      ? v(() => text('prompt-column', raw['prompt-column']), DEFAULTS.promptColumn)
      : DEFAULTS.promptColumn,
    model: given(raw, 'model') ? v(() => modelId(raw.model, ctx.env), DEFAULTS.model) : DEFAULTS.model,
    maxTokens: given(raw, 'max-tokens')
      ? v(() => wholeNumber('max-tokens', raw['max-tokens'], 1, 1_000_000), DEFAULTS.maxTokens)
      : DEFAULTS.maxTokens,
    stop: given(raw, 'stop') ? v(() => textList('stop', raw.stop), []) : [],
    region: v(() => region(raw, ctx.env), DEFAULTS.region),
    emulate: raw.emulate === true,
    api: given(raw, 'api') ? v(() => oneOf('api', raw.api, APIS), DEFAULTS.api) : DEFAULTS.api,
    stream: raw.stream === true,
    concurrency: given(raw, 'concurrency')
      ? v(() => wholeNumber('concurrency', raw.concurrency, 1, 10_000), DEFAULTS.concurrency)
      : DEFAULTS.concurrency,
    adaptive: raw.adaptive !== false,
    maxAttempts: given(raw, 'max-attempts')
      ? v(() => wholeNumber('max-attempts', raw['max-attempts'], 1, 100), DEFAULTS.maxAttempts)
      : DEFAULTS.maxAttempts,
    backoffBaseMs: given(raw, 'backoff-base')
      ? v(() => wholeNumber('backoff-base', raw['backoff-base'], 0, 600_000), DEFAULTS.backoffBaseMs)
      : DEFAULTS.backoffBaseMs,
    backoffCapMs: given(raw, 'backoff-cap')
      ? v(() => wholeNumber('backoff-cap', raw['backoff-cap'], 0, 3_600_000), DEFAULTS.backoffCapMs)
      : DEFAULTS.backoffCapMs,
    requestTimeoutMs:
      1000 *
      (given(raw, 'request-timeout')
        ? v(
            () => decimal('request-timeout', raw['request-timeout'], 0.001, 86_400),
            DEFAULTS.requestTimeoutSeconds,
          )
        : DEFAULTS.requestTimeoutSeconds),
    fresh: raw.fresh === true,
    keepChanged: raw['keep-changed'] === true,
    graceMs:
      1000 *
      (given(raw, 'grace-period')
        ? v(() => decimal('grace-period', raw['grace-period'], 0, 86_400), DEFAULTS.gracePeriodSeconds)
        : DEFAULTS.gracePeriodSeconds),
    csvSafe: raw['csv-safe'] !== false,
    batch: batchOptions(raw),
    ledger: v(() => ledgerOptions(raw, ctx.cwd, ctx.env), { reuse: true }),
    ...answerOptions(raw, ctx.cwd),
  };
  const optional = <K extends keyof JobSpec>(key: K, flag: string, check: (value: unknown) => JobSpec[K]) => {
    if (!given(raw, flag)) return;
    const value = v(() => check(raw[flag]), undefined);
    if (value !== undefined) spec[key] = value;
  };
  optional('rpm', 'rpm', (x) => wholeNumber('rpm', x, 1, 100_000_000));
  optional('tpm', 'tpm', (x) => wholeNumber('tpm', x, 1, 10_000_000_000));
  optional('maxErrors', 'max-errors', (x) => wholeNumber('max-errors', x, 1));
  optional('template', 'template', (x) => checkedTemplate(x, ctx.cwd));
  optional('system', 'system', (x) => textOrFile('system', x, ctx.cwd));
  optional('idColumn', 'id-column', (x) => text('id-column', x));
  optional('temperature', 'temperature', (x) => decimal('temperature', x, 0, 1));
  optional('topP', 'top-p', (x) => decimal('top-p', x, 0, 1));
  optional('topK', 'top-k', (x) => wholeNumber('top-k', x, 0, 1_000_000));
  optional('profile', 'profile', (x) => text('profile', x));
  optional('maxCost', 'max-cost', (x) => decimal('max-cost', x, 0, 1e12));
  optional('pricing', 'pricing', (x) => resolve(ctx.cwd, text('pricing', x)));
  optional('endpoint', 'endpoint', endpointUrl);
  optional('limiter', 'limiter', (x) => limiterUrl('limiter', x));
  if (!given(raw, 'limiter') && ctx.env.RUN_BATCH_LIMITER)
    spec.limiter = v(() => limiterUrl('limiter', ctx.env.RUN_BATCH_LIMITER), undefined);
  if (spec.limiter === undefined) delete spec.limiter;
  optional('limiterKey', 'limiter-key', (x) => text('limiter-key', x));
  optional('shard', 'shard', shardOption);
  optional('serviceTier', 'service-tier', (x) => oneOf('service-tier', x, SERVICE_TIERS));
  if (given(raw, 'cache-system')) {
    const cache = v(() => cacheSystem(raw['cache-system']), undefined);
    if (cache !== undefined) spec.cacheSystem = cache;
  }
  if (given(raw, 'template') && given(raw, 'prompt-column')) {
    // With a template the prompt column is never read, so naming one is a mistake to point out.
    v(
      () =>
        fail(
          'prompt-column',
          'left out with --template (the template builds the prompt)',
          raw['prompt-column'],
        ),
      0,
    );
  }
  if (spec.emulate && given(raw, 'endpoint')) {
    v(
      () => fail('endpoint', 'left out with --emulate (the built-in emulator is the endpoint)', raw.endpoint),
      0,
    );
  }
  // The environment's endpoint is a standing setting; --emulate, asked for on this run, wins over it.
  if (!given(raw, 'endpoint') && !spec.emulate && ctx.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME)
    spec.endpoint = v(() => endpointUrl(ctx.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME), undefined);
  if (spec.endpoint === undefined) delete spec.endpoint;

  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new OptionValueErrors(problems);
  checkPaths(spec, inputFormat, outputFormat);
  return spec;
}

/** The input file: given, a file, not stdin. Checked before anything else, so it comes alone. */
function inputPath(raw: RawOptions, ctx: ResolveContext): string {
  if (!given(raw, 'input'))
    throw new RunBatchError(
      'USAGE',
      'no input file given: run-batch <input.csv|input.jsonl>, or an input key in the --job file',
    );
  if (raw.input === '' || raw.input === '-') {
    throw new RunBatchError(
      'USAGE',
      'reading prompts from stdin ("-") needs a path: give /dev/stdin as the input, its format (input-format csv or jsonl) and -o for the results',
    );
  }
  if (typeof raw.input !== 'string')
    throw new RunBatchError('USAGE', `the input must be one file path, got ${JSON.stringify(raw.input)}`);
  const input = resolve(ctx.cwd, raw.input);
  if (!existsSync(input)) throw new RunBatchError('INPUT', `${input}: no such file`);
  if (statSync(input).isDirectory()) throw new RunBatchError('INPUT', `${input}: is a directory, not a file`);
  // A pipe, FIFO or /dev/stdin is read once (spooled); its results need a place the user chose.
  if (!statSync(input).isFile() && !given(raw, 'output'))
    throw new RunBatchError(
      'USAGE',
      `${input} is not a regular file (a pipe or a device): name the results file with -o`,
    );
  return input;
}

function checkPaths(spec: JobSpec, inputFormat: Format | undefined, outputFormat: Format | undefined): void {
  const { input, output } = spec;
  if (!inputFormat) {
    throw new RunBatchError(
      'USAGE',
      `cannot tell the format of ${input} from its extension; pass --input-format csv|jsonl`,
    );
  }
  if (!outputFormat) {
    throw new RunBatchError(
      'USAGE',
      `cannot tell the format of ${output} from its extension; pass --output-format csv|jsonl`,
    );
  }
  if (output === input)
    throw new RunBatchError('USAGE', `--output must differ from the input file, got ${output}`);
  if (existsSync(output) && statSync(output).isDirectory()) {
    throw new RunBatchError('USAGE', `--output ${output} is a directory; give a file name`);
  }
}

export const SERVICE_TIERS = ['default', 'priority', 'flex'] as const;

/** `--cache-system` alone (or `cache-system: true` in a job file) is 5m; `false` is off. */
function cacheSystem(value: unknown): '5m' | '1h' | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true || value === '') return '5m';
  return oneOf('cache-system', value, ['5m', '1h'] as const);
}

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

/** `i/N` with 1 <= i <= N. */
function shardOption(value: unknown): { index: number; count: number } {
  const raw = typeof value === 'number' ? String(value) : text('shard', value);
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count || count > 1_000_000)
    return fail('shard', 'i/N with i from 1 to N, e.g. 2/3', raw);
  return { index, count };
}

/** How a run reports progress and logs (`--log-format`, `--quiet`): the CLI's concern, not runBatch's. */
export interface LogOptions {
  format: 'text' | 'json';
  quiet: boolean;
}

export function resolveLogOptions(raw: RawOptions): LogOptions {
  return {
    format: given(raw, 'log-format')
      ? oneOf('log-format', raw['log-format'], ['text', 'json'] as const)
      : 'text',
    quiet: raw.quiet === true,
  };
}
