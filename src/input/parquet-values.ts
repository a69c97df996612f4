/**
 * How a Parquet value reads as a row value, the way a JSONL row would hold it: JSON has no BigInt
 * (JSON.stringify throws on one), no Date and no bytes, and templates, overrides, fingerprints and
 * the results journal all go through JSON. So: INT64 is a number when it is a safe integer and its
 * decimal digits as a string beyond 2^53 (never rounded); a top-level DECIMAL the number nearest its
 * exact decimal (hyparquet multiplies by 10^-scale in floating point, 123 * 1e-12 giving
 * 1.2300000000000001e-10; rounding to the scale's digits undoes that);
 * TIMESTAMP an ISO 8601 UTC string; DATE `YYYY-MM-DD`; bytes base64; structs, lists and maps JSON
 * objects and arrays, converted the same way inside.
 */
import type { ParquetParsers } from 'hyparquet';

const iso = (millis: number) => new Date(millis).toISOString();

/** hyparquet's parsers for the types that would otherwise read as Date objects. */
export const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => iso(Number(millis)),
  timestampFromMicroseconds: (micros: bigint) => iso(Number(micros / 1000n)),
  timestampFromNanoseconds: (nanos: bigint) => iso(Number(nanos / 1_000_000n)),
  dateFromDays: (days: number) => iso(days * 86_400_000).slice(0, 10),
};

/** A row object from hyparquet as plain JSON values, in the file's column order. */
export function plainRow(
  object: Record<string, unknown>,
  columns: readonly string[],
  decimals: ReadonlyMap<string, number>,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const name of columns) {
    const value = object[name];
    const scale = decimals.get(name);
    row[name] = scale !== undefined && typeof value === 'number' ? decimal(value, scale) : plainValue(value);
  }
  return row;
}

export function plainValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  // NaN and Infinity have no JSON form: their names, as text.
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plainValue);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = plainValue(inner);
  return out;
}

function decimal(n: number, scale: number): number {
  return Number.isFinite(n) && scale <= 100 ? Number(n.toFixed(scale)) : n;
}
