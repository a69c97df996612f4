/**
 * How a ResultRecord becomes a line of the results file.
 * CSV: the input's columns first (a name that clashes with a result field becomes `input_<name>`,
 * with more `input_` until it clashes with nothing), then the result fields. JSONL: the result
 * fields plus `input` holding the original row. Numbers are never written in exponent form
 * (`cost_usd` 0.00000025, not 2.5e-7), and a cell holding a bare CR is quoted, because Python's
 * csv, pandas and Excel end a row there. CSV cells a spreadsheet would run as a formula are
 * neutralized (see `safeCell`) unless turned off.
 */
import { parse } from 'csv-parse/sync';
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
  /**
   * `--expect`: the score fields (named in `fields`) of a record and its input row, computed as it
   * is written, so a kept or reused answer is scored again under the run's own --match.
   */
  score?: (record: ResultRecord, row: Record<string, unknown>) => Record<string, unknown>;
}

export function makeLayout(
  format: Format,
  inputColumns: readonly string[],
  streaming: boolean,
  csvSafe = true,
  extraFields: readonly string[] = [],
  jsonProperties?: readonly string[],
): Layout {
  const fields: string[] = [...RESULT_FIELDS];
  if (streaming) fields.push('first_token_ms');
  // The cost levers' fields (service_tier, cache_write_1h_tokens), only when the job uses them.
  fields.push(...extraFields);
  const headerNames = headerNamesFor(inputColumns, fields);
  return {
    format,
    fields,
    inputColumns: format === 'csv' ? headerNames : [],
    sourceColumns: format === 'csv' ? inputColumns : [],
    csvSafe,
    ...(jsonProperties === undefined ? {} : { jsonProperties }),
  };
}

/**
 * Header names for the input columns, none equal to another or to a result field: a clashing
 * name gets `input_` prefixes until it is free (`status` beside an input `input_status` becomes
 * `input_input_status`); names that clash with nothing stay as the user wrote them.
 */
export function headerNamesFor(inputColumns: readonly string[], fields: readonly string[]): string[] {
  const resultFields = new Set(fields);
  const taken = new Set([...fields, ...inputColumns.filter((name) => !resultFields.has(name))]);
  return inputColumns.map((name) => {
    if (!resultFields.has(name)) return name;
    let renamed = `input_${name}`;
    while (taken.has(renamed)) renamed = `input_${renamed}`;
    taken.add(renamed);
    return renamed;
  });
}

/** The header line, or nothing for JSONL. */
export function headerText(layout: Layout): string {
  const json = layout.jsonProperties ? jsonColumns(layout.jsonProperties) : [];
  return layout.format === 'csv' ? csvLine(layout, [...layout.inputColumns, ...layout.fields, ...json]) : '';
}

export function recordText(layout: Layout, record: ResultRecord, row: Record<string, unknown>): string {
  const values: Record<string, unknown> = layout.score
    ? { ...record, ...layout.score(record, row) }
    : (record as unknown as Record<string, unknown>);
  if (layout.format === 'jsonl') {
    // Field by field, so a number is written as plain decimals (JSON.stringify would write 2.5e-7).
    const parts = layout.fields.map((field) => `${JSON.stringify(field)}:${jsonValue(values[field])}`);
    if (layout.jsonProperties) parts.push(`"response_json":${JSON.stringify(answerValue(record) ?? null)}`);
    parts.push(`"input":${JSON.stringify(row)}`);
    return `{${parts.join(',')}}\n`;
  }
  const cells = layout.sourceColumns.map((name) => cellText(row[name]));
  for (const field of layout.fields) cells.push(cellText(values[field]));
  if (layout.jsonProperties) cells.push(...jsonCells(answerValue(record), layout.jsonProperties));
  return csvLine(layout, cells);
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return plainNumber(value);
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function jsonValue(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return plainNumber(value);
  return JSON.stringify(value ?? null);
}

/**
 * A number in plain decimals, the exact digits of its shortest form: 2.5e-7 -> "0.00000025",
 * 1e21 -> "1000000000000000000000". Spreadsheets and some JSON readers take `e` notation as text.
 */
export function plainNumber(n: number): string {
  const text = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, rest = '', exp] = match;
  const digits = `${lead}${rest}`;
  const point = 1 + Number(exp); // where the decimal point falls within `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** How every results record is written (a rewrite of the file writes its records the same way). */
export const CSV_OPTIONS = {
  record_delimiter: 'unix',
  // csv-stringify quotes a cell holding the record delimiter (LF) but not a bare CR.
  quoted_match: /\r/,
} as const;

function csvLine(layout: Layout, cells: string[]): string {
  return stringify([layout.csvSafe ? cells.map(safeCell) : cells], CSV_OPTIONS);
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

/**
 * A record of this layout read back into its result fields (the input part left out), so a kept
 * answer can be written again beside the current input's columns.
 */
export function resultFieldsOf(layout: Layout, text: string): ResultRecord {
  if (layout.format === 'jsonl') {
    const { input: _input, ...fields } = JSON.parse(text) as Record<string, unknown>;
    return fields as unknown as ResultRecord;
  }
  const cells = (parse(text, { relax_column_count: true }) as string[][])[0] ?? [];
  const fields: Record<string, unknown> = {};
  layout.fields.forEach((field, i) => {
    const cell = cells[layout.inputColumns.length + i] ?? '';
    fields[field] = layout.csvSafe ? restoreCell(cell) : cell;
  });
  return fields as unknown as ResultRecord;
}
