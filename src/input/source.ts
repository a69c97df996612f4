/** What the readers produce, and the choice of reader by format. */
import { RunBatchError } from '../errors.js';
import type { Format } from '../job/spec.js';
import { csvSource } from './csv.js';
import { jsonlSource } from './jsonl.js';

/** A row as read from the input file, before it becomes a request. */
export interface InputRow {
  /** 0-based position among the data rows. */
  index: number;
  /** 1-based line where the row starts. */
  line: number;
  data: Record<string, unknown>;
}

export interface RowSource {
  /** The header for CSV; for JSONL, the keys in order of first appearance among the rows read so far. */
  columns(): string[];
  /** A fresh pass over the file each time it is called. */
  rows(): AsyncIterable<InputRow>;
}

export function openSource(path: string, format: Format, label = path): RowSource {
  return format === 'csv' ? csvSource(path, label) : jsonlSource(path, label);
}

export function readError(label: string, error: unknown): RunBatchError {
  if (error instanceof RunBatchError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  return new RunBatchError('INPUT', `${label}: cannot read: ${reason}`, { cause: error });
}

/** The columns a row may override its request with; the names are exact (lowercase, underscores). */
export const OVERRIDE_COLUMNS = [
  'model',
  'max_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'system',
  'messages',
  'id',
] as const;

/**
 * Warnings for columns that look like an override but are not one (`Model`, `Max Tokens`,
 * `max-tokens`): they are kept as data, and the job-wide value applies, which a user who meant the
 * override would not notice otherwise. Not an error: a `Model` column can be data (a car model).
 */
export function lookalikeColumns(columns: readonly string[], label: string): string[] {
  const present = new Set(columns);
  const key = (name: string) =>
    name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
  const notes: string[] = [];
  for (const column of columns) {
    const meant = OVERRIDE_COLUMNS.find((name) => name === key(column));
    if (meant === undefined || column === meant || present.has(meant)) continue;
    notes.push(
      `${label}: column "${column}" is not the per-row "${meant}" override (column names are exact), ` +
        `so it is kept as data and not used; rename it "${meant}" to use it per row`,
    );
  }
  return notes;
}
