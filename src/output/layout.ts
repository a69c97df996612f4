/**
 * How a ResultRecord becomes a line of the results file.
 * CSV: the input's columns first (a name that clashes with a result field becomes `input_<name>`),
 * then the result fields. JSONL: the result fields plus `input` holding the original row.
 */
import { stringify } from 'csv-stringify/sync';
import type { Format } from '../job/spec.js';
import { RESULT_FIELDS, type ResultRecord } from '../types.js';

export interface Layout {
  format: Format;
  /** Result fields written, in order (adds first_token_ms when streaming). */
  fields: readonly string[];
  /** CSV only: input column names as they appear in the header. */
  inputColumns: readonly string[];
  /** The original input column behind each header name in `inputColumns`. */
  sourceColumns: readonly string[];
}

export function makeLayout(format: Format, inputColumns: readonly string[], streaming: boolean): Layout {
  const fields: string[] = [...RESULT_FIELDS];
  if (streaming) fields.push('first_token_ms');
  const taken = new Set(fields);
  const headerNames = inputColumns.map((name) => (taken.has(name) ? `input_${name}` : name));
  return {
    format,
    fields,
    inputColumns: format === 'csv' ? headerNames : [],
    sourceColumns: format === 'csv' ? inputColumns : [],
  };
}

/** The header line, or nothing for JSONL. */
export function headerText(layout: Layout): string {
  return layout.format === 'csv' ? csvLine([...layout.inputColumns, ...layout.fields]) : '';
}

export function recordText(layout: Layout, record: ResultRecord, row: Record<string, unknown>): string {
  const values = record as unknown as Record<string, unknown>;
  if (layout.format === 'jsonl') {
    const out: Record<string, unknown> = {};
    for (const field of layout.fields) out[field] = values[field] ?? null;
    out.input = row;
    return `${JSON.stringify(out)}\n`;
  }
  const cells = layout.sourceColumns.map((name) => cellText(row[name]));
  for (const field of layout.fields) cells.push(cellText(values[field]));
  return csvLine(cells);
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function csvLine(cells: string[]): string {
  return stringify([cells], { record_delimiter: 'unix' });
}
