/** The choice of reader by format. */
import type { Format } from '../job/spec.js';
import { type CsvOptions, csvSource } from './csv.js';
import { jsonlSource } from './jsonl.js';
import { parquetSource } from './parquet.js';
import type { RowSource } from './row.js';

export type { InputRow, RowSource } from './row.js';

/** @param options how a CSV file is read (tests read small files streamed, too) */
export function openSource(path: string, format: Format, label = path, options: CsvOptions = {}): RowSource {
  if (format === 'parquet') return parquetSource(path, label);
  return format === 'csv' ? csvSource(path, label, options) : jsonlSource(path, label);
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
