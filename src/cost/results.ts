/**
 * Reads results files for `report`: names and globs expanded (quoted globs work, since Node 20
 * has no fs.glob), each file streamed with the input readers (CSV or JSONL, by extension), and each
 * record turned into the few fields a report needs. A file that is not a results file, or a bad
 * number in one, is an input error naming file and line.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { isProfileArn } from '../bedrock/inference-profile-arn.js';
import { displayPath, RunBatchError } from '../errors.js';
import { openSource } from '../input/source.js';
import { formatFromPath } from '../job/resolve.js';
import type { Format } from '../job/spec.js';
import { localCopiesOf, uriOfCopy } from '../remote/local-copy.js';
import { isS3Uri } from '../remote/uri.js';
import { type ClassPair, classPairs } from '../score/class-rows.js';
import { type Pico, parseCostCell } from './money.js';

export interface ResultsFile {
  path: string;
  /** How it is named in messages and in `--by job`: relative to where the command ran, when shorter. */
  label: string;
  format: Format;
}

/** One results record, as much of it as a report uses. */
export interface ReportRow {
  job: string;
  model: string;
  status: string;
  /** UTC date (YYYY-MM-DD) of finished_at, or '' when it has none. */
  day: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Of the cache writes, the 1-hour ones (0 in files written without --cache-system). */
  cacheWrite1hTokens: number;
  /** The tier that served the row; `default` in files written without a tier. */
  tier: string;
  /**
   * What this results file paid for the row: `paid_usd` (0 for an answer reused from the ledger
   * that another output bought), or `cost_usd` in files written before the answer ledger.
   * Null: no cost recorded (a failed row, or a model without a price).
   */
  cost: Pico | null;
  /** A reused row (`reused` true): what its answer cost when it was bought; else 0. */
  reusedValue?: Pico;
  /** --guardrail: `guardrail_action` (INTERVENED, NONE; '' without a guardrail). */
  guardrailAction?: string;
  /** --guardrail: its part of `cost` (0 for a reused row, which this file did not pay for). */
  guardrailCost?: Pico;
  /** --expect: the row's scored (expected, predicted) classes (score/class-rows.ts). */
  classes?: ClassPair[];
  /** --judge: what the row's verdict cost (`judge_cost_usd`), apart from `cost`; undefined: not judged. */
  judgeCost?: Pico;
  /** The inference profile's ARN the row was sent to (`-m` a profile), else ''. */
  profile?: string;
  /** `profile_tags` with `request_tags` over them (a call's own --tag wins), for `--by tag:KEY`. */
  tags?: Record<string, string>;
}

const REQUIRED = ['status', 'model', 'input_tokens', 'output_tokens', 'cost_usd'] as const;

/** Files named, and files matched by glob patterns (only .csv, .jsonl, .ndjson and .parquet), in order, once each. */
export async function expandFiles(patterns: readonly string[], cwd: string): Promise<ResultsFile[]> {
  const paths: string[] = [];
  for (const pattern of patterns) {
    if (isS3Uri(pattern))
      paths.push(...(await localCopiesOf(pattern))); // S3: src/remote/local-copy.ts
    else if (isDynamicPattern(pattern)) {
      const matches = (await glob([pattern], { cwd, absolute: true, onlyFiles: true }))
        .filter((path) => formatFromPath(path) !== undefined)
        .sort();
      if (matches.length === 0)
        throw new RunBatchError(
          'USAGE',
          `no .csv, .jsonl, .ndjson or .parquet file matches ${JSON.stringify(pattern)}`,
        );
      paths.push(...matches);
    } else {
      const path = resolve(cwd, pattern);
      if (!existsSync(path)) throw new RunBatchError('INPUT', `${pattern}: no such file`);
      if (statSync(path).isDirectory())
        throw new RunBatchError(
          'INPUT',
          `${pattern}: is a directory; name the results files, or a glob like '${pattern}/*.csv'`,
        );
      if (formatFromPath(path) === undefined)
        throw new RunBatchError(
          'USAGE',
          `${pattern}: not a results file: expected .csv, .jsonl, .ndjson or .parquet`,
        );
      paths.push(path);
    }
  }
  return [...new Set(paths)].map((path) => {
    return {
      path,
      label: uriOfCopy(path) ?? displayPath(path, cwd),
      format: formatFromPath(path) as Format,
    };
  });
}

export async function* readResults(file: ResultsFile): AsyncIterable<ReportRow> {
  // An empty file has no header to say what it is: most likely a run that never started, or the
  // wrong file; reported, not counted as a results file with no rows.
  if (statSync(file.path).size === 0)
    throw new RunBatchError('INPUT', `${file.label}: is empty (0 bytes), not a results file`);
  const source = openSource(file.path, file.format, file.label);
  for await (const row of source.rows()) {
    const at = `${file.label}:${row.line}`;
    const data = row.data;
    for (const field of REQUIRED) {
      if (!(field in data)) {
        throw new RunBatchError(
          'INPUT',
          `${at}: not a results file: no "${field}" ${file.format === 'csv' ? 'column' : 'field'} (run-batch writes it)`,
        );
      }
    }
    // Every row is ok or error; anything else would be counted as neither and the totals not add up.
    if (data.status !== 'ok' && data.status !== 'error')
      throw badValue(at, 'status', '"ok" or "error"', data.status);
    const bought = parseCostCell(data.cost_usd);
    if (bought === undefined) throw badValue(at, 'cost_usd', 'a number from 0 up, or empty', data.cost_usd);
    // Spend is what this file paid: paid_usd where the file has it (the answer ledger's column).
    const hasPaid = 'paid_usd' in data && data.paid_usd !== '' && data.paid_usd !== null;
    const cost = hasPaid ? parseCostCell(data.paid_usd) : bought;
    if (cost === undefined) throw badValue(at, 'paid_usd', 'a number from 0 up, or empty', data.paid_usd);
    const reused = data.reused === true || data.reused === 'true';
    yield {
      job: file.label,
      model: text(data.model),
      status: text(data.status),
      day: utcDay(data.finished_at),
      inputTokens: count(at, 'input_tokens', data.input_tokens),
      outputTokens: count(at, 'output_tokens', data.output_tokens),
      cacheReadTokens: count(at, 'cache_read_tokens', data.cache_read_tokens),
      cacheWriteTokens: count(at, 'cache_write_tokens', data.cache_write_tokens),
      cacheWrite1hTokens: count(at, 'cache_write_1h_tokens', data.cache_write_1h_tokens),
      tier: text(data.service_tier) || 'default',
      cost,
      reusedValue: reused && bought !== null ? bought : 0n,
      guardrailAction: text(data.guardrail_action),
      guardrailCost: reused ? 0n : (parseCostCell(data.guardrail_usd) ?? 0n),
      classes: classPairs(data),
      ...judgeCostOf(data),
      profile: isProfileArn(text(data.model)) ? text(data.model) : '',
      tags: { ...tagsOf(data.profile_tags), ...tagsOf(data.request_tags) },
    };
  }
}

function judgeCostOf(data: Record<string, unknown>): { judgeCost?: Pico } {
  const cost = parseCostCell(data.judge_cost_usd);
  return cost === null || cost === undefined ? {} : { judgeCost: cost };
}

/** A tags cell: a JSON object of strings (a JSONL file may hold the object itself); anything else is none. */
function tagsOf(value: unknown): Record<string, string> {
  let parsed = value;
  if (typeof value === 'string') {
    if (value === '') return {};
    try {
      parsed = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** A token count: empty (a failed row) is 0, anything else a whole number from 0 up. */
function count(at: string, field: string, value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0) throw badValue(at, field, 'a whole number from 0 up, or empty', value);
  return n;
}

function utcDay(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  const time = Date.parse(value);
  return Number.isNaN(time) ? '' : new Date(time).toISOString().slice(0, 10);
}

function badValue(at: string, field: string, expected: string, value: unknown): RunBatchError {
  return new RunBatchError('INPUT', `${at}: "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
}
