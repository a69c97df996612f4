/**
 * IdIndex (src/plan/id-index.ts) against a Map, the structure it replaces: the same answers for
 * every sequence of adds and lookups, whatever the ids (empty, long, non-ASCII, look-alikes that
 * differ in one byte, enough of them to grow every array and rehash the table several times).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../src/plan/id-index.js';

const ids = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.nat(3000).map((n) => `R${n}`),
  fc.string({ minLength: 300, maxLength: 400 }),
);

describe('IdIndex', () => {
  it('answers as a Map of first numbers does, through adds, lookups and renumbering', () => {
    fc.assert(
      fc.property(fc.array(ids, { maxLength: 3000 }), fc.array(ids, { maxLength: 200 }), (added, asked) => {
        const index = new IdIndex();
        const map = new Map<string, number>();
        added.forEach((id, n) => {
          const first = index.add(id, n);
          expect(first).toBe(map.get(id));
          if (!map.has(id)) map.set(id, n);
        });
        expect(index.size).toBe(map.size);
        for (const id of [...asked, ...added.slice(0, 50)]) {
          expect(index.get(id)).toBe(map.get(id));
          expect(index.has(id)).toBe(map.has(id));
        }
        expect([...index]).toEqual([...map]);
        // Renumbered as the plan does: only every other entry keeps a number.
        index.clearNumbers();
        const kept = [...map.keys()].filter((_, e) => e % 2 === 0);
        for (let i = 0; i < kept.length; i++) index.number(i * 2, i);
        expect([...index]).toEqual(kept.map((id, i) => [id, i]));
        for (const [e, id] of [...map.keys()].entries())
          expect(index.get(id)).toBe(e % 2 === 0 ? e / 2 : undefined);
      }),
      { numRuns: 60 },
    );
  });

  it('holds 200,000 ids exactly, and clear gives them up', () => {
    const index = new IdIndex();
    for (let i = 0; i < 200_000; i++) expect(index.add(`row-${i}`, i)).toBeUndefined();
    expect(index.add('row-123456', 0)).toBe(123_456);
    expect(index.get('row-199999')).toBe(199_999);
    expect(index.get('row-200000')).toBeUndefined();
    expect(index.get('row-1234567')).toBeUndefined();
    index.clear();
    expect(index.get('row-1')).toBeUndefined();
    expect(index.size).toBe(0);
  });
});
