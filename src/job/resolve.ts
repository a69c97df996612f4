/**
 * Turns raw option values (from flags and job files) into a validated JobSpec, through the run
 * table (job/options.ts): every value, default and check comes from there. What is left here is
 * what depends on several options at once: the input and output paths and their formats, and
 * batch mode's setup. Every bad value is reported at once.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { RunBatchError } from '../errors.js';
import { finishBatch } from './batch-options.js';
import { judgeProblems } from './judge-options.js';
import { finishLedger } from './ledger-options.js';
import { onDemandOnlyProblems } from './ondemand-only.js';
import type { OptionDef } from './option-def.js';
import { RUN_OPTIONS } from './options.js';
import { expectProblems } from './score-options.js';
import { finishSlice, sliceTag } from './slice-options.js';
import type { BatchOptions, Format, JobSpec, LogOptions } from './spec.js';
import { given, type RawOptions, resolveOptions, throwProblems } from './table.js';
import { oneOf } from './values.js';

export { SERVICE_TIERS } from './options.js';
export type { LogOptions } from './spec.js';
export type { RawOptions } from './table.js';

export interface ResolveContext {
  /** Directory relative paths are resolved against. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function formatFromPath(path: string): Format | undefined {
  // An S3 object may be gzipped (src/remote/input.ts gunzips it): its format is the name before .gz.
  const ext = extname(path.startsWith('s3://') ? path.replace(/\.gz$/i, '') : path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.parquet') return 'parquet';
  return undefined;
}

/**
 * `<stem>.results.<ext>` beside the input; the extension follows the output format when one is
 * forced. A slice (--limit, --sample) gets `<stem>.<tag>.results.<ext>`: written into the full
 * run's file, it would leave the answer ledger to rebuild that file down to the slice.
 */
export function defaultOutputPath(given: string, outputFormat?: Format, tag?: string): string {
  const input = given.startsWith('s3://') ? given.replace(/\.gz$/i, '') : given;
  const ext = extname(input);
  const stem = basename(input, ext);
  const keepExt = outputFormat === undefined || formatFromPath(input) === outputFormat;
  const outExt = keepExt ? ext : `.${outputFormat}`;
  const name = `${stem}${tag ? `.${tag}` : ''}.results${outExt}`;
  // Beside an S3 object in S3 (path.join would fold `s3://` into `s3:/`).
  if (input.startsWith('s3://')) return `${input.slice(0, input.lastIndexOf('/') + 1)}${name}`;
  return join(dirname(input), name);
}

export interface ResolvedRun {
  spec: JobSpec;
  log: LogOptions;
  /** Every checked value by key, the extra table's too (e.g. estimate's own options). */
  values: Record<string, unknown>;
}

/**
 * The run table (plus a command's own entries) over the raw values. `command` says who asks:
 * `estimate` prices batch mode without needing its S3 place and role.
 */
export function resolveRun(
  raw: RawOptions,
  ctx: ResolveContext,
  command: 'run' | 'estimate' = 'run',
  extra: readonly OptionDef[] = [],
): ResolvedRun {
  const input = inputPath(raw, ctx, command);
  const { values, problems } = resolveOptions([...RUN_OPTIONS, ...extra], raw, ctx);
  const { log, ...spec } = values as unknown as JobSpec & { log: LogOptions };
  spec.input = input;
  const inputFormat = spec.inputFormat ?? formatFromPath(input);
  const forcedOutputFormat = given(raw, 'output-format') ? spec.outputFormat : undefined;
  problems.push(...finishSlice(spec, raw));
  spec.output ??= defaultOutputPath(input, forcedOutputFormat, spec.slice && sliceTag(spec.slice));
  const outputFormat = forcedOutputFormat ?? formatFromPath(spec.output);
  spec.inputFormat = inputFormat ?? 'csv';
  spec.outputFormat = outputFormat ?? 'csv';
  spec.batch = (spec.batch ?? {}) as BatchOptions;
  spec.ledger = finishLedger(spec.ledger as Parameters<typeof finishLedger>[0], ctx);
  problems.push(...finishBatch(spec.batch, spec.emulate, command === 'run'));
  problems.push(...onDemandOnlyProblems(spec.batch, spec));
  problems.push(...expectProblems(spec.expect, spec.jsonSchema));
  problems.push(...judgeProblems({ judge: given(raw, 'judge'), rubric: given(raw, 'rubric') }));
  throwProblems(problems);
  checkPaths(spec, inputFormat, outputFormat);
  return { spec, log, values };
}

export function resolveSpec(raw: RawOptions, ctx: ResolveContext): JobSpec {
  return resolveRun(raw, ctx).spec;
}

/** The input file: given, a file, not stdin. Checked before anything else, so it comes alone. */
function inputPath(raw: RawOptions, ctx: ResolveContext, command: 'run' | 'estimate' = 'run'): string {
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
  // An S3 input is looked at when the run starts (src/remote); many objects need a place for results.
  // estimate and show-request write nothing: a prefix or glob needs no -o there.
  if (raw.input.startsWith('s3://')) return s3Input(raw.input, given(raw, 'output') || command !== 'run');
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

function s3Input(input: string, withOutput: boolean): string {
  const key = input.slice(5).split('/').slice(1).join('/');
  if ((key === '' || key.endsWith('/') || /[*?[]/.test(key)) && !withOutput)
    throw new RunBatchError(
      'USAGE',
      `${input} names many objects: name the results with -o (a default output beside them would be read as input by the next run)`,
    );
  return input;
}

function checkPaths(spec: JobSpec, inputFormat: Format | undefined, outputFormat: Format | undefined): void {
  const { input, output } = spec;
  if (!inputFormat) {
    throw new RunBatchError(
      'USAGE',
      `cannot tell the format of ${input} from its extension; pass --input-format csv|jsonl|parquet`,
    );
  }
  if (!outputFormat) {
    throw new RunBatchError(
      'USAGE',
      `cannot tell the format of ${output} from its extension; pass --output-format csv|jsonl|parquet`,
    );
  }
  if (output === input)
    throw new RunBatchError('USAGE', `--output must differ from the input file, got ${output}`);
  if (existsSync(output) && statSync(output).isDirectory()) {
    throw new RunBatchError('USAGE', `--output ${output} is a directory; give a file name`);
  }
}

/**
 * The log format and --quiet alone, read first so a later error is written in the format asked
 * for. A bad value here is reported with every other one by `resolveRun`.
 */
export function resolveLogOptions(raw: RawOptions): LogOptions {
  return {
    format: given(raw, 'log-format')
      ? oneOf('log-format', raw['log-format'], ['text', 'json'] as const)
      : 'text',
    quiet: raw.quiet === true,
  };
}
