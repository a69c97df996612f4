/**
 * The typed columns of a Parquet results file: for each column its schema element and how a value
 * from the journal (a JSONL record) becomes the value hyparquet-writer takes. Token counts, latency
 * and attempts are INT64; money (`cost_usd`, every `*_usd`) is DECIMAL(18, 12), exact to the
 * picodollar like the project's money (money.ts; DOUBLE would not be) and stored as INT64, the
 * widest physical type every reader handles as a decimal without byte arrays: 18 digits with 12
 * after the point hold up to $999,999 a row, far beyond any one call. `finished_at` is a UTC
 * TIMESTAMP in milliseconds (what the record has), `reused` and `judge_pass` BOOLEAN,
 * `judge_score` DOUBLE, `json_*` columns typed from the JSON Schema when simple, and the input columns typed as the input had them (a Parquet input's
 * primitive types; strings for CSV and JSONL; nested columns as JSON text).
 */
import type { SchemaElement } from 'hyparquet';

export interface ParquetColumn {
  name: string;
  element: SchemaElement;
  /** A journal value as the writer takes it; null for none (or one that does not fit the type). */
  value: (value: unknown) => unknown;
  /** Nested input values are written as JSON text and parsed back when a run resumes. */
  json?: boolean;
}

type Kind =
  | 'string'
  | 'int64'
  | 'int32'
  | 'double'
  | 'float'
  | 'boolean'
  | 'usd'
  | 'timestamp'
  | 'date'
  | 'json';

const OPTIONAL = 'OPTIONAL' as const;

function element(name: string, kind: Kind): SchemaElement {
  switch (kind) {
    case 'int64':
      return { name, type: 'INT64', repetition_type: OPTIONAL };
    case 'int32':
      return { name, type: 'INT32', repetition_type: OPTIONAL };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type: OPTIONAL };
    case 'float':
      return { name, type: 'FLOAT', repetition_type: OPTIONAL };
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type: OPTIONAL };
    case 'usd':
      return {
        name,
        type: 'INT64',
        repetition_type: OPTIONAL,
        converted_type: 'DECIMAL',
        scale: 12,
        precision: 18,
        logical_type: { type: 'DECIMAL', scale: 12, precision: 18 },
      };
    case 'timestamp':
      return {
        name,
        type: 'INT64',
        repetition_type: OPTIONAL,
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    case 'date':
      return { name, type: 'INT32', repetition_type: OPTIONAL, converted_type: 'DATE' };
    default:
      return { name, type: 'BYTE_ARRAY', repetition_type: OPTIONAL, converted_type: 'UTF8' };
  }
}

const INT64_FIELDS = new Set(['latency_ms', 'attempts', 'first_token_ms']);

/** A result field's kind, by its name (fields added by later features follow the same names). */
export function fieldKind(name: string): Kind {
  if (name.endsWith('_tokens') || INT64_FIELDS.has(name)) return 'int64';
  if (name.endsWith('_usd')) return 'usd';
  if (name === 'finished_at') return 'timestamp';
  if (name === 'reused' || name === 'judge_pass') return 'boolean';
  // The judge's score, 0 to 1 (judge/fields.ts): a DOUBLE, so a query can average it as it is.
  if (name === 'judge_score') return 'double';
  return 'string';
}

/** A `json_*` column's kind from its property's schema: simple types typed, anything else JSON text. */
export function propertyKind(schema: unknown): Kind {
  const type = (schema as { type?: unknown } | undefined)?.type;
  if (type === 'string') return 'string';
  if (type === 'integer') return 'int64';
  if (type === 'number') return 'double';
  if (type === 'boolean') return 'boolean';
  return 'json';
}

/** A top-level column of a Parquet input, as the writer should type it again. */
export function inputKind(input: SchemaElement | undefined, nested: boolean): Kind {
  if (input === undefined) return 'string';
  if (nested) return 'json';
  const converted = input.converted_type;
  const logical = input.logical_type?.type;
  if (logical === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS')
    return 'timestamp';
  if (input.type === 'INT96') return 'timestamp';
  if (converted === 'DATE' || logical === 'DATE') return 'date';
  // A DECIMAL reads as a number rounded to its scale (input/parquet-values.ts): a DOUBLE keeps it.
  if (converted === 'DECIMAL' || logical === 'DECIMAL') return 'double';
  if (input.type === 'BOOLEAN') return 'boolean';
  if (input.type === 'INT32') return 'int32';
  if (input.type === 'INT64') return 'int64';
  if (input.type === 'FLOAT') return 'float';
  if (input.type === 'DOUBLE') return 'double';
  return 'string';
}

export function column(name: string, kind: Kind): ParquetColumn {
  return {
    name,
    element: element(name, kind),
    value: converter(kind),
    ...(kind === 'json' ? { json: true } : {}),
  };
}

function converter(kind: Kind): (value: unknown) => unknown {
  switch (kind) {
    case 'int64':
      return (v) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : digits(v));
    case 'int32':
      return (v) => (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v : null);
    case 'double':
    case 'float':
      // A number's text too: a file written when judge_score was VARCHAR holds "0.8".
      return (v) =>
        typeof v === 'number'
          ? v
          : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
            ? Number(v)
            : null;
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : null);
    case 'usd':
      // The picodollars a cost_usd stands for, as money.ts's picoFromUsd computes them.
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? BigInt(Math.round(v * 1e12)) : null);
    case 'timestamp':
      return (v) => {
        const millis = typeof v === 'string' && v !== '' ? Date.parse(v) : Number.NaN;
        return Number.isNaN(millis) ? null : new Date(millis);
      };
    case 'date':
      return (v) => {
        const millis = typeof v === 'string' ? Date.parse(v) : Number.NaN;
        return Number.isNaN(millis) ? null : Math.floor(millis / 86_400_000);
      };
    case 'json':
      return (v) => (v === undefined || v === null ? null : JSON.stringify(v));
    default:
      return (v) => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
  }
}

/** An INT64 held as its decimal digits (beyond 2^53, input/parquet-values.ts). */
function digits(v: unknown): bigint | null {
  return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : null;
}
