/**
 * Turns raw option values (from flags, later also job files) into a validated JobSpec.
 * This is the only place option values are checked.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { RunBatchError } from '../errors.js';
import { DEFAULT_MODEL } from './options.js';
import type { Format, JobSpec } from './spec.js';
import { decimal, fail, oneOf, text, textList, textOrFile, wholeNumber } from './values.js';

export type RawOptions = Record<string, unknown>;

export interface ResolveContext {
  /** Directory relative paths are resolved against. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const FORMATS = ['csv', 'jsonl'] as const;

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
  if (!given(raw, 'input'))
    throw new RunBatchError(
      'USAGE',
      'no input file given: run-batch <input.csv|input.jsonl>, or an input key in the --job file',
    );
  const input = resolve(ctx.cwd, text('input', raw.input));
  if (!existsSync(input)) throw new RunBatchError('INPUT', `${input}: no such file`);
  if (statSync(input).isDirectory()) throw new RunBatchError('INPUT', `${input}: is a directory, not a file`);

  const inputFormat = given(raw, 'input-format')
    ? oneOf('input-format', raw['input-format'], FORMATS)
    : formatFromPath(input);
  if (!inputFormat) {
    throw new RunBatchError(
      'USAGE',
      `cannot tell the format of ${input} from its extension; pass --input-format csv|jsonl`,
    );
  }

  const forcedOutputFormat = given(raw, 'output-format')
    ? oneOf('output-format', raw['output-format'], FORMATS)
    : undefined;
  const output = given(raw, 'output')
    ? resolve(ctx.cwd, text('output', raw.output))
    : defaultOutputPath(input, forcedOutputFormat);
  const outputFormat = forcedOutputFormat ?? formatFromPath(output);
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

  const spec: JobSpec = {
    input,
    inputFormat,
    output,
    outputFormat,
    promptColumn: given(raw, 'prompt-column') ? text('prompt-column', raw['prompt-column']) : 'prompt',
    model: given(raw, 'model') ? text('model', raw.model) : DEFAULT_MODEL,
    maxTokens: given(raw, 'max-tokens') ? wholeNumber('max-tokens', raw['max-tokens'], 1, 1_000_000) : 512,
    stop: given(raw, 'stop') ? textList('stop', raw.stop) : [],
    region: given(raw, 'region')
      ? text('region', raw.region)
      : ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || 'us-east-1',
    emulate: raw.emulate === true,
    api: given(raw, 'api') ? oneOf('api', raw.api, ['converse', 'invoke'] as const) : 'converse',
    stream: raw.stream === true,
    concurrency: given(raw, 'concurrency') ? wholeNumber('concurrency', raw.concurrency, 1, 10_000) : 8,
    adaptive: raw.adaptive !== false,
    maxAttempts: given(raw, 'max-attempts') ? wholeNumber('max-attempts', raw['max-attempts'], 1, 100) : 8,
    backoffBaseMs: given(raw, 'backoff-base')
      ? wholeNumber('backoff-base', raw['backoff-base'], 0, 600_000)
      : 250,
    backoffCapMs: given(raw, 'backoff-cap')
      ? wholeNumber('backoff-cap', raw['backoff-cap'], 0, 3_600_000)
      : 20_000,
    requestTimeoutMs:
      1000 *
      (given(raw, 'request-timeout')
        ? decimal('request-timeout', raw['request-timeout'], 0.001, 86_400)
        : 300),
    fresh: raw.fresh === true,
    graceMs:
      1000 * (given(raw, 'grace-period') ? decimal('grace-period', raw['grace-period'], 0, 86_400) : 30),
    csvSafe: raw['csv-safe'] !== false,
  };
  if (given(raw, 'rpm')) spec.rpm = wholeNumber('rpm', raw.rpm, 1, 100_000_000);
  if (given(raw, 'tpm')) spec.tpm = wholeNumber('tpm', raw.tpm, 1, 10_000_000_000);
  if (given(raw, 'limiter')) spec.limiter = limiterUrl('limiter', raw.limiter);
  else if (ctx.env.RUN_BATCH_LIMITER) spec.limiter = limiterUrl('limiter', ctx.env.RUN_BATCH_LIMITER);
  if (given(raw, 'limiter-key')) spec.limiterKey = text('limiter-key', raw['limiter-key']);
  if (given(raw, 'shard')) spec.shard = shardOption(raw.shard);
  if (given(raw, 'max-errors')) spec.maxErrors = wholeNumber('max-errors', raw['max-errors'], 1);
  if (given(raw, 'template')) spec.template = textOrFile('template', raw.template, ctx.cwd);
  if (given(raw, 'system')) spec.system = textOrFile('system', raw.system, ctx.cwd);
  if (given(raw, 'id-column')) spec.idColumn = text('id-column', raw['id-column']);
  if (given(raw, 'temperature')) spec.temperature = decimal('temperature', raw.temperature, 0, 1);
  if (given(raw, 'top-p')) spec.topP = decimal('top-p', raw['top-p'], 0, 1);
  if (given(raw, 'top-k')) spec.topK = wholeNumber('top-k', raw['top-k'], 0, 1_000_000);
  if (given(raw, 'profile')) spec.profile = text('profile', raw.profile);
  if (given(raw, 'max-cost')) spec.maxCost = decimal('max-cost', raw['max-cost'], 0, 1e12);
  if (given(raw, 'pricing')) spec.pricing = resolve(ctx.cwd, text('pricing', raw.pricing));
  if (given(raw, 'endpoint')) spec.endpoint = endpointUrl(raw.endpoint);
  else if (ctx.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME)
    spec.endpoint = endpointUrl(ctx.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME);
  return spec;
}

function endpointUrl(value: unknown): string {
  const raw = text('endpoint', value);
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw;
  } catch {
    // fall through to the error below
  }
  return fail('endpoint', 'an http:// or https:// URL', raw);
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
