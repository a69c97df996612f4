/** The scorer's fields and verdicts for a record and its row, and the accuracy it counts. */
import { describe, expect, it } from 'vitest';
import { makeScorer } from '../../src/score/scorer.js';

const ok = (id: string, response: string) => ({ id, status: 'ok' as const, response });

describe('scoring the whole answer', () => {
  it('writes expected and match; empty match with no expected value or a failed row', () => {
    const s = makeScorer({ expect: [{ column: 'label' }], match: 'normalized', tolerance: 0 });
    expect(s?.fields).toEqual(['expected', 'match']);
    expect(s?.score(ok('1', 'Billing.'), { label: 'billing' })).toEqual({ expected: 'billing', match: true });
    expect(s?.score(ok('2', 'refund'), { label: 'billing' })).toEqual({ expected: 'billing', match: false });
    expect(s?.score(ok('3', 'refund'), { label: '  ' })).toEqual({ expected: '', match: null });
    expect(s?.score({ id: '4', status: 'error', response: '' }, { label: 'x' })).toEqual({
      expected: 'x',
      match: null,
    });
    // Written twice (kept, then refreshed): counted once, as last written.
    expect(s?.score(ok('2', 'billing'), { label: 'billing' })).toEqual({ expected: 'billing', match: true });
    expect(s?.tally()).toEqual({ rows: 2, matched: 2 });
  });
});

describe('scoring fields of a --json-schema answer', () => {
  const s = makeScorer({
    expect: [
      { field: 'category', column: 'label' },
      { field: 'priority', column: 'prio' },
    ],
    match: 'exact',
    tolerance: 0,
  });
  it('writes match, then expected_F and match_F; a row matches when all its scored fields do', () => {
    expect(s?.fields).toEqual([
      'match',
      'expected_category',
      'match_category',
      'expected_priority',
      'match_priority',
    ]);
    const answer = JSON.stringify({ category: 'billing', priority: 2 });
    expect(s?.score(ok('a', answer), { label: 'billing', prio: '2' })).toEqual({
      match: true,
      expected_category: 'billing',
      match_category: true,
      expected_priority: '2',
      match_priority: true,
    });
    expect(s?.score(ok('b', answer), { label: 'billing', prio: 3 })).toMatchObject({
      match: false,
      match_category: true,
      match_priority: false,
    });
    // Only the fields with an expected value count.
    expect(s?.score(ok('c', answer), { label: 'billing', prio: '' })).toMatchObject({
      match: true,
      match_priority: null,
    });
    expect(s?.score(ok('d', 'not json'), { label: 'billing' })).toMatchObject({ match: false });
    expect(s?.tally()).toEqual({ rows: 4, matched: 2 });
  });
  it('finds a bad expected cell, naming its column', () => {
    const r = makeScorer({ expect: [{ column: 'pattern' }], match: 'regex', tolerance: 0 });
    expect(r?.problem({ pattern: '(' })).toMatch(/^column "pattern": not a valid regular expression/);
    expect(r?.problem({ pattern: '' })).toBeUndefined();
  });
});
