/**
 * How Parquet values read as row values (JSON-safe: no BigInt, no Date) and how journal values are
 * written back typed: table-style.
 */
import { describe, expect, it } from 'vitest';
import { plainRow, plainValue } from '../../src/input/parquet-values.js';
import { column, fieldKind, inputKind, propertyKind } from '../../src/output/parquet-columns.js';

describe('plainValue', () => {
  it.each([
    [42n, 42],
    [-(2n ** 53n) + 1n, -(2 ** 53) + 1],
    [2n ** 63n - 1n, '9223372036854775807'],
    [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), '2026-01-02T03:04:05.006Z'],
    [new Uint8Array([104, 105]), 'aGk='],
    [Number.NaN, 'NaN'],
    [undefined, null],
    [
      { a: 1n, b: [2n, { c: new Date(0) }] },
      { a: 1, b: [2, { c: '1970-01-01T00:00:00.000Z' }] },
    ],
  ])('%s', (value, expected) => {
    expect(plainValue(value)).toEqual(expected);
    expect(() => JSON.stringify(plainValue(value))).not.toThrow();
  });

  it('rounds a top-level DECIMAL to its scale, undoing the float noise of scaling', () => {
    const row = plainRow({ cost: 123 * 1e-12, d: 0.1 + 0.2 }, ['cost', 'd'], new Map([['cost', 12]]));
    expect(row).toEqual({ cost: 1.23e-10, d: 0.1 + 0.2 });
  });
});

describe('typed columns', () => {
  it.each([
    ['input_tokens', 'int64'],
    ['cache_write_1h_tokens', 'int64'],
    ['latency_ms', 'int64'],
    ['cost_usd', 'usd'],
    ['guardrail_usd', 'usd'],
    ['finished_at', 'timestamp'],
    ['reused', 'boolean'],
    ['response', 'string'],
  ])('%s is %s', (name, kind) => expect(fieldKind(name)).toBe(kind));

  it.each([
    [{ type: 'string' }, 'string'],
    [{ type: 'integer' }, 'int64'],
    [{ type: 'number' }, 'double'],
    [{ type: 'boolean' }, 'boolean'],
    [{ type: 'array' }, 'json'],
    [{ type: ['string', 'null'] }, 'json'],
    [undefined, 'json'],
  ])('a property %j is %s', (schema, kind) => expect(propertyKind(schema)).toBe(kind));

  it('keeps a Parquet input column type, nested ones as JSON', () => {
    expect(inputKind({ name: 'n', type: 'INT32' }, false)).toBe('int32');
    expect(inputKind({ name: 'b', type: 'BOOLEAN' }, false)).toBe('boolean');
    expect(inputKind({ name: 'd', type: 'INT32', converted_type: 'DATE' }, false)).toBe('date');
    expect(inputKind({ name: 's', num_children: 2 }, true)).toBe('json');
    expect(inputKind(undefined, false)).toBe('string');
  });

  it('writes money as exact picodollars and INT64 beyond 2^53 from its digits', () => {
    expect(column('cost_usd', 'usd').value(0.000069506135)).toBe(69506135n);
    expect(column('cost_usd', 'usd').value(null)).toBe(null);
    expect(column('n', 'int64').value('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(column('n', 'int64').value('12abc')).toBe(null);
    expect(column('t', 'timestamp').value('2026-01-02T03:04:05.006Z')).toEqual(
      new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    );
    expect(column('t', 'timestamp').value('')).toBe(null);
    expect(column('j', 'json').value({ a: 1 })).toBe('{"a":1}');
  });
});
