import { describe, expect, it } from 'vitest';
import { grouped } from '../../src/cost/money.js';

describe('grouped: counts written as toLocaleString("en-US") writes them', () => {
  const samples = [0, 1, -1, 12, 999, 1000, -1000, 12_345, 999_999, 1_000_000, -9_876_543_210, 2 ** 53 - 1];
  it.each(samples)('%d', (n) => {
    expect(grouped(n)).toBe(n.toLocaleString('en-US'));
  });

  it('every whole number up to 20,000, and fractions, the same as ICU', () => {
    for (let n = -20_000; n <= 20_000; n += 7) expect(grouped(n)).toBe(n.toLocaleString('en-US'));
    for (const n of [0.5, 1234.5678, -0.001, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])
      expect(grouped(n)).toBe(n.toLocaleString('en-US'));
  });
});
