/** The slice's choice (plan/slice.ts): checked against a plain sort of every key, not the heap. */
import { describe, expect, it } from 'vitest';
import { LowestKeys, SliceChooser, sampleKey, sliceLabel } from '../../src/plan/slice.js';

const ids = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** The reference: every id's key, sorted, the first n, in input order. */
function bySort(all: string[], n: number, seed: number): string[] {
  const chosen = new Set(
    [...all].sort((a, b) => sampleKey(a, seed) - sampleKey(b, seed) || (a < b ? -1 : 1)).slice(0, n),
  );
  return all.filter((id) => chosen.has(id));
}

function choose(all: string[], slice: ConstructorParameters<typeof SliceChooser>[0]): string[] {
  const chooser = new SliceChooser<string>(slice);
  const taken: string[] = [];
  for (const id of all) chooser.offer(id, id, (v) => taken.push(v));
  chooser.finish(
    (v) => taken.push(v),
    (v) => v,
  );
  // The later pass agrees with the check pass.
  expect(all.filter((id, at) => chooser.has(id, at))).toEqual(taken);
  return taken;
}

describe('SliceChooser', () => {
  it.each([
    [1, 0],
    [50, 7],
    [120, 7],
    [299, 1],
    [300, 3],
    [500, 3],
  ])('--sample %i --seed %i takes the lowest keys, in input order', (n, seed) => {
    const all = ids(300);
    expect(choose(all, { kind: 'sample', rows: n, seed })).toEqual(bySort(all, n, seed));
  });

  it('keeps the same ids after other rows are deleted or edited, and takes a new row only when its key is lower', () => {
    const all = ids(300);
    const before = choose(all, { kind: 'sample', rows: 50, seed: 7 });
    const others = all.filter((id) => !before.includes(id));
    const fewer = all.filter((id) => !others.slice(0, 10).includes(id));
    expect(choose(fewer, { kind: 'sample', rows: 50, seed: 7 })).toEqual(before);
    const added = [...all, ...ids(100, 'new')];
    const after = choose(added, { kind: 'sample', rows: 50, seed: 7 });
    const entered = after.filter((id) => id.startsWith('new'));
    const maxBefore = Math.max(...before.map((id) => sampleKey(id, 7)));
    expect(entered.every((id) => sampleKey(id, 7) < maxBefore)).toBe(true);
    expect(after.filter((id) => !id.startsWith('new')).every((id) => before.includes(id))).toBe(true);
  });

  it('another seed, another sample', () => {
    const all = ids(300);
    expect(choose(all, { kind: 'sample', rows: 50, seed: 1 })).not.toEqual(
      choose(all, { kind: 'sample', rows: 50, seed: 2 }),
    );
  });

  it('--limit takes the first N; no slice takes every row', () => {
    const all = ids(30);
    expect(choose(all, { kind: 'limit', rows: 10 })).toEqual(all.slice(0, 10));
    expect(choose(all, { kind: 'limit', rows: 100 })).toEqual(all);
    expect(choose(all, undefined)).toEqual(all);
  });

  it('LowestKeys holds no more than its size', () => {
    const heap = new LowestKeys<number>(3);
    for (const k of [9, 1, 8, 2, 7, 3, 6]) heap.offer(k, String(k), k);
    expect(heap.values().sort()).toEqual([1, 2, 3]);
  });

  it('labels the slice as the summary prints it', () => {
    expect(sliceLabel({ kind: 'sample', rows: 120, seed: 7 }, 120, 300)).toBe(
      '120 of 300 rows (--sample 120 --seed 7)',
    );
    expect(sliceLabel({ kind: 'limit', rows: 10 }, 10, 300)).toBe('10 of 300 rows (--limit 10)');
  });
});
