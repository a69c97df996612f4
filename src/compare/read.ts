/**
 * Reads results files for `compare`: each record turned into what a comparison needs (tokens, the
 * bought call's latency, the `match` and `expected` cells and the answer). Not a results file, or
 * a bad cell, is an input error naming file and line (exit 2).
 */
import { statSync } from 'node:fs';
import type { ResultsFile } from '../cost/results.js';
import { RunBatchError } from '../errors.js';
import { openSource } from '../input/source.js';

export interface CompareRow {
  model: string;
  ok: boolean;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  /** latency_ms: a row reused from the ledger keeps the latency of the call that bought it. */
  latencyMs: number | null;
  /** The `match` cell: true/false, or null when the row was not scored (or the file has none). */
  match: boolean | null;
  /** The `expected` cell ('' when absent). */
  expected: string;
  /** The answer compared with `expected` for macro F1 (the --answer column). */
  answer: string;
}

const REQUIRED = ['status', 'model', 'input_tokens', 'output_tokens'] as const;

export async function* readCompareRows(file: ResultsFile, answerColumn: string): AsyncIterable<CompareRow> {
  if (statSync(file.path).size === 0)
    throw new RunBatchError('INPUT', `${file.label}: is empty (0 bytes), not a results file`);
  const source = openSource(file.path, file.format, file.label);
  for await (const row of source.rows()) {
    const at = `${file.label}:${row.line}`;
    const data = row.data;
    for (const field of REQUIRED) {
      if (!(field in data))
        throw new RunBatchError(
          'INPUT',
          `${at}: not a results file: no "${field}" ${file.format === 'csv' ? 'column' : 'field'} (run-batch writes it)`,
        );
    }
    if (data.status !== 'ok' && data.status !== 'error')
      throw bad(at, 'status', '"ok" or "error"', data.status);
    yield {
      model: text(data.model),
      ok: data.status === 'ok',
      inputTokens: count(at, 'input_tokens', data.input_tokens) ?? 0,
      outputTokens: count(at, 'output_tokens', data.output_tokens) ?? 0,
      cacheReadTokens: count(at, 'cache_read_tokens', data.cache_read_tokens) ?? 0,
      cacheWriteTokens: count(at, 'cache_write_tokens', data.cache_write_tokens) ?? 0,
      cacheWrite1hTokens: count(at, 'cache_write_1h_tokens', data.cache_write_1h_tokens) ?? 0,
      latencyMs: count(at, 'latency_ms', data.latency_ms),
      match: matchCell(at, data.match),
      expected: text(data.expected),
      answer: text(data[answerColumn]),
    };
  }
}

function matchCell(at: string, value: unknown): boolean | null {
  if (value === undefined || value === null || value === '') return null;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw bad(at, 'match', 'true, false or empty', value);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A whole number from 0 up; empty (a failed row) is null. */
function count(at: string, field: string, value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0) throw bad(at, field, 'a whole number from 0 up, or empty', value);
  return n;
}

function bad(at: string, field: string, expected: string, value: unknown): RunBatchError {
  return new RunBatchError('INPUT', `${at}: "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
}
