/** Class figures against a confusion matrix and P/R/F1 worked out by hand. */
import { describe, expect, it } from 'vitest';
import { classPairs } from '../../src/score/class-rows.js';
import { ClassCounter, MAX_CLASSES } from '../../src/score/classes.js';

// 12 rows: billing 5 (4 right, 1 said bug), bug 4 (2 right, 1 said billing, 1 said "weather",
// no class at all), refund 3 (all right).
const PAIRS: Array<[string, string]> = [
  ...Array<[string, string]>(4).fill(['billing', 'billing']),
  ['billing', 'bug'],
  ['bug', 'bug'],
  ['bug', 'bug'],
  ['bug', 'billing'],
  ['bug', 'weather'],
  ...Array<[string, string]>(3).fill(['refund', 'refund']),
];

describe('class metrics', () => {
  const counter = new ClassCounter();
  for (const [e, p] of PAIRS) counter.add(e, p);
  const m = counter.metrics();

  it('the confusion matrix: rows expected, columns predicted, (other) for a non-class', () => {
    expect(m?.classes).toEqual(['billing', 'bug', 'refund']);
    expect(m?.predicted).toEqual(['billing', 'bug', 'refund', '(other)']);
    expect(m?.matrix).toEqual([
      [4, 1, 0, 0],
      [1, 2, 0, 1],
      [0, 0, 3, 0],
    ]);
    expect(m?.rows).toBe(12);
  });

  it('per class: billing 4/5 and 4/5; bug 2/3 and 2/4 (F1 4/7); refund 1 and 1', () => {
    const by = Object.fromEntries((m?.perClass ?? []).map((c) => [c.class, c]));
    expect(by.billing).toMatchObject({ support: 5 });
    expect(by.billing?.precision).toBeCloseTo(0.8, 12);
    expect(by.billing?.recall).toBeCloseTo(0.8, 12);
    expect(by.billing?.f1).toBeCloseTo(0.8, 12);
    expect(by.bug).toMatchObject({ support: 4 });
    expect(by.bug?.precision).toBeCloseTo(2 / 3, 12);
    expect(by.bug?.recall).toBeCloseTo(0.5, 12);
    expect(by.bug?.f1).toBeCloseTo(4 / 7, 12);
    expect(by.refund).toMatchObject({ precision: 1, recall: 1, f1: 1, support: 3 });
  });

  it('macro: the mean over classes; micro: 9 right of 11 predicted as a class, of 12 rows', () => {
    expect(m?.macro.precision).toBeCloseTo(37 / 45, 12);
    expect(m?.macro.recall).toBeCloseTo(23 / 30, 12);
    expect(m?.macro.f1).toBeCloseTo(83 / 105, 12);
    expect(m?.micro.precision).toBeCloseTo(9 / 11, 12);
    expect(m?.micro.recall).toBeCloseTo(0.75, 12); // the accuracy
    expect(m?.micro.f1).toBeCloseTo(18 / 23, 12);
  });

  it('a class never predicted has precision 0, and F1 0', () => {
    const c = new ClassCounter();
    c.add('a', 'b');
    c.add('b', 'b');
    const a = c.metrics()?.perClass.find((x) => x.class === 'a');
    expect(a).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('more than MAX_CLASSES distinct expected values: no figures', () => {
    const c = new ClassCounter();
    for (let i = 0; i <= MAX_CLASSES; i++) c.add(`c${i}`, `c${i}`);
    expect(c.tooMany).toBe(true);
    expect(c.metrics()).toBeUndefined();
  });
});

describe('the class pairs of a results record', () => {
  it('the response with expected and match; a matched row is on the diagonal', () => {
    expect(classPairs({ expected: 'Billing', match: 'true', response: 'billing.' })).toEqual([
      { name: '', expected: 'Billing', predicted: 'Billing' },
    ]);
    expect(classPairs({ expected: 'billing', match: 'false', response: ' bug ' })).toEqual([
      { name: '', expected: 'billing', predicted: 'bug' },
    ]);
    // Not scored: no expected value, or a failed row (match empty).
    expect(classPairs({ expected: '', match: '', response: 'x' })).toEqual([]);
    expect(classPairs({ expected: 'a', match: '', response: '' })).toEqual([]);
  });
  it('a schema field: json_F in CSV, response_json.F in JSONL', () => {
    expect(
      classPairs({ expected_category: 'bug', match_category: 'false', json_category: 'billing' }),
    ).toEqual([{ name: 'category', expected: 'bug', predicted: 'billing' }]);
    expect(
      classPairs({ expected_category: 'bug', match_category: false, response_json: { category: 'refund' } }),
    ).toEqual([{ name: 'category', expected: 'bug', predicted: 'refund' }]);
  });
});
