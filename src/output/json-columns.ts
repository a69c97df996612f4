/**
 * How a validated answer shows in the results file. CSV: one `json_<property>` column per
 * top-level property of the schema (scalars as they are, booleans as true/false, arrays and objects
 * as JSON text, an empty cell for an absent property or an error row). JSONL: `response_json`, the
 * parsed value (null for an error row). The answer is read back from `response`, which holds its
 * JSON text, so nothing beyond the record itself is needed to write either.
 */
import type { ResultRecord } from '../types.js';

/** The CSV header names for a schema's properties, in the schema's order. */
export function jsonColumns(properties: readonly string[]): string[] {
  return properties.map((name) => `json_${name}`);
}

/** The parsed answer of an ok row, undefined for an error row or a response that is not JSON. */
export function answerValue(record: Pick<ResultRecord, 'status' | 'response'>): unknown {
  if (record.status !== 'ok' || record.response === '') return undefined;
  try {
    return JSON.parse(record.response);
  } catch {
    return undefined;
  }
}

/** One cell per property, in `properties` order. */
export function jsonCells(value: unknown, properties: readonly string[]): string[] {
  const obj =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  return properties.map((name) => cell(obj[name]));
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
