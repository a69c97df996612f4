import { describe, expect, it } from 'vitest';
import { inShard, shardLabel, shardOf } from '../../src/plan/shard.js';

const ids = Array.from({ length: 3000 }, (_, i) =>
  i % 3 === 0 ? `row-${i}` : i % 3 === 1 ? String(i) : `é${i}✓`,
);

describe('--shard: rows split by a stable hash of their id', () => {
  it.each([1, 2, 3, 7, 16])('N=%i: the shards partition the ids, each id in exactly one', (count) => {
    const seen = new Map<string, number>();
    for (let index = 1; index <= count; index++)
      for (const id of ids) if (inShard(id, { index, count })) seen.set(id, (seen.get(id) ?? 0) + 1);
    expect(seen.size).toBe(ids.length);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('spreads ids about evenly (each of 4 shards within 15% of a quarter)', () => {
    const sizes = [0, 0, 0, 0];
    for (const id of ids) sizes[shardOf(id, 4) - 1] = (sizes[shardOf(id, 4) - 1] ?? 0) + 1;
    for (const size of sizes) expect(Math.abs(size - ids.length / 4)).toBeLessThan((ids.length / 4) * 0.15);
  });

  it('is stable: known ids land where they always have (SHA-1, first 48 bits mod N, from 1)', () => {
    // Fixed values: a change of hash would move rows between hosts that split one input.
    // Golden values, computed independently (Python: int(sha1(id).hexdigest()[:12], 16) % n + 1).
    const golden: Array<[string, number, number, number]> = [
      ['r1', 1, 5, 1],
      ['r2', 1, 2, 13],
      ['r3', 1, 2, 12],
      ['order-42', 2, 1, 12],
      ['', 2, 3, 12],
      ['row-7', 3, 5, 13],
    ];
    for (const [id, of3, of5, of16] of golden)
      expect([shardOf(id, 3), shardOf(id, 5), shardOf(id, 16)], id).toEqual([of3, of5, of16]);
    expect(shardOf('r1', 1)).toBe(1);
  });

  it('refuses a count below 1', () => {
    expect(() => shardOf('x', 0)).toThrow(/1 or more, got 0/);
  });

  it('labels a shard for the summary', () => {
    expect(shardLabel({ index: 2, count: 3 })).toBe('shard 2/3');
  });
});
