/**
 * How a ResultRecord becomes a line of the results file.
 * CSV: the input's columns first (a name that clashes with a result field becomes `input_<name>`),
 * then the result fields. JSONL: the result fields plus `input` holding the original row.
 * CSV cells a spreadsheet would run as a formula are neutralized (see `safeCell`) unless turned off.
 */
import { stringify } from 'csv-stringify/sync';
import type { Format } from '../job/spec.js';
import { RESULT_FIELDS, type ResultRecord } from '../types.js';
import { answerValue, jsonCells, jsonColumns } from './json-columns.js';

export interface Layout {
  format: Format;
  /** Result fields written, in order (adds first_token_ms when streaming). */
  fields: readonly string[];
  /** CSV only: input column names as they appear in the header. */
  inputColumns: readonly string[];
  /** The original input column behind each header name in `inputColumns`. */
  sourceColumns: readonly string[];
  /** CSV only: neutralize cells that would start a formula (`--csv-safe`, on by default). */
  csvSafe: boolean;
  /** `--json-schema`: its top-level properties (CSV json_* columns; JSONL response_json). */
  jsonProperties?: readonly string[];
}

export function makeLayout(
  format: Format,
  inputColumns: readonly string[],
  streaming: boolean,
  csvSafe = true,
  jsonProperties?: readonly string[],
): Layout {
  const fields: string[] = [...RESULT_FIELDS];
  if (streaming) fields.push('first_token_ms');
  const taken = new Set(fields);
  const headerNames = inputColumns.map((name) => (taken.has(name) ? `input_${name}` : name));
  return {
    format,
    fields,
    inputColumns: format === 'csv' ? headerNames : [],
    sourceColumns: format === 'csv' ? inputColumns : [],
    csvSafe,
    ...(jsonProperties === undefined ? {} : { jsonProperties }),
  };
}

/** The header line, or nothing for JSONL. */
export function headerText(layout: Layout): string {
  const json = layout.jsonProperties ? jsonColumns(layout.jsonProperties) : [];
  return layout.format === 'csv' ? csvLine(layout, [...layout.inputColumns, ...layout.fields, ...json]) : '';
}

export function recordText(layout: Layout, record: ResultRecord, row: Record<string, unknown>): string {
  const values = record as unknown as Record<string, unknown>;
  if (layout.format === 'jsonl') {
    const out: Record<string, unknown> = {};
    for (const field of layout.fields) out[field] = values[field] ?? null;
    if (layout.jsonProperties) out.response_json = answerValue(record) ?? null;
    out.input = row;
    return `${JSON.stringify(out)}\n`;
  }
  const cells = layout.sourceColumns.map((name) => cellText(row[name]));
  for (const field of layout.fields) cells.push(cellText(values[field]));
  if (layout.jsonProperties) cells.push(...jsonCells(answerValue(record), layout.jsonProperties));
  return csvLine(layout, cells);
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function csvLine(layout: Layout, cells: string[]): string {
  return stringify([layout.csvSafe ? cells.map(safeCell) : cells], { record_delimiter: 'unix' });
}

// A spreadsheet runs a cell starting with one of these as a formula (tab and CR too, for the
// DDE variants): OWASP's CSV-injection advice is a leading apostrophe, which makes it text.
const FORMULA_START = /^'*[=+\-@\t\r]/;
// Numbers are data, not formulas: -5, +3.2, -1e5 stay as they are.
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A CSV cell made safe to open in a spreadsheet: `=1+1` -> `'=1+1`, `@SUM(A1)` -> `'@SUM(A1)`.
 * A cell already starting with apostrophes before such a character gets one more, so `restoreCell`
 * gives every value back exactly (resume and report read results files back).
 */
export function safeCell(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** The value `safeCell` was given: for a reader of a results file written with --csv-safe. */
export function restoreCell(text: string): string {
  return FORMULA_START.test(text) && text.startsWith("'") ? text.slice(1) : text;
}
