/**
 * `compare`'s figures against values worked out by hand from the shipped price table
 * (src/cost/prices.json): amazon.nova-pro-v1:0 is $0.0008 in / $0.0032 out per 1,000 tokens
 * on-demand, $0.0004 / $0.0016 at flex and at batch; Claude Haiku 4.5 is $0.001 / $0.005 with a
 * 10% premium on geo ids (us.), batch $0.0005 / $0.0025, no flex price.
 */
import { describe, expect, it } from 'vitest';
import { compareLine } from '../../src/compare/build.js';
import { cheapestAbove, points } from '../../src/compare/html.js';
import type { CompareRow } from '../../src/compare/read.js';
import { macroF1, percentile } from '../../src/compare/stats.js';
import { shippedTable } from '../../src/cost/table.js';

const row = (over: Partial<CompareRow>): CompareRow => ({
  model: 'us.amazon.nova-pro-v1:0',
  ok: true,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  latencyMs: null,
  match: null,
  expected: '',
  answer: '',
  ...over,
});

const ROWS = [
  row({ inputTokens: 1000, outputTokens: 200, latencyMs: 100, match: true }),
  row({ inputTokens: 2000, outputTokens: 400, latencyMs: 300, match: false }),
  row({ inputTokens: 3000, outputTokens: 600, latencyMs: 200, match: true }),
  row({ ok: false }),
];

describe('percentile (nearest rank)', () => {
  it.each([
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 50, 50],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95, 100],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90, 90],
    [[5, 1, 3], 50, 3],
    [[5, 1, 3], 95, 5],
    [[7], 95, 7],
  ])('%j p%d = %d', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
  it('is null for no values', () => expect(percentile([], 50)).toBeNull());
});

describe('macroF1', () => {
  it('averages per-class F1 over the expected classes', () => {
    // a: tp 1, fp 1 (c->a), fn 1 (a->b): 2/4 = 0.5; b: tp 1, fp 1, fn 0: 2/3; c: tp 0: 0.
    const pairs = [
      ['a', 'a'],
      ['a', 'b'],
      ['b', 'b'],
      ['c', 'a'],
    ] as const;
    expect(macroF1(pairs)).toBeCloseTo((0.5 + 2 / 3 + 0) / 3, 10);
  });
  it('is 1 when every answer is right, null above 50 classes', () => {
    expect(
      macroF1([
        ['x', 'x'],
        ['y', 'y'],
      ]),
    ).toBe(1);
    expect(macroF1(Array.from({ length: 51 }, (_, i) => [`c${i}`, `c${i}`] as const))).toBeNull();
  });
});

describe('compareLine', () => {
  const line = compareLine('a.results.csv', 'us.amazon.nova-pro-v1:0', ROWS, shippedTable(), 10_000);
  it('counts rows, ok and accuracy over the scored rows', () => {
    expect([line.rows, line.ok, line.scored, line.correct]).toEqual([4, 3, 3, 2]);
    expect(line.accuracy).toBeCloseTo(2 / 3, 12);
  });
  it('prices the tokens: 6,000 in x 0.0008 + 1,200 out x 0.0032 per 1,000 = $0.00864', () => {
    expect(line.cost).toBeCloseTo(0.00864, 12);
    expect(line.costPer1k).toBeCloseTo(2.16, 10); // over 4 rows
    expect(line.costPerCorrect).toBeCloseTo(0.00432, 12); // over 2 correct
  });
  it('takes p50 and p95 of the answered rows latencies', () => {
    expect([line.latencyP50, line.latencyP95]).toEqual([200, 300]);
    expect([line.tokensIn, line.tokensOut]).toEqual([6000, 1200]);
  });
  it('projects 10,000 rows x the mean tokens (2,000 in, 400 out) x each mode', () => {
    expect(line.projected.on_demand).toBeCloseTo((10_000 * (2000 * 0.0008 + 400 * 0.0032)) / 1000, 8); // 28.8
    expect(line.projected.flex).toBeCloseTo((10_000 * (2000 * 0.0004 + 400 * 0.0016)) / 1000, 8); // 14.4
    expect(line.projected.batch).toBeCloseTo(14.4, 8);
  });
  it('adds the regional premium on a geo id and leaves flex empty where the model has none', () => {
    const rows = ROWS.map((r) => ({ ...r, model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' }));
    const haiku = compareLine(
      'b.csv',
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      rows,
      shippedTable(),
      1000,
    );
    expect(haiku.cost).toBeCloseTo((6000 * 0.0011 + 1200 * 0.0055) / 1000, 12);
    expect(haiku.projected.flex).toBeNull();
    expect(haiku.projected.batch).toBeCloseTo((1000 * (2000 * 0.00055 + 400 * 0.00275)) / 1000, 8);
  });
  it('has no accuracy without a match column, and no projection without full rows', () => {
    const plain = compareLine(
      'c.csv',
      'us.amazon.nova-pro-v1:0',
      [row({ inputTokens: 10 })],
      shippedTable(),
      null,
    );
    expect([plain.accuracy, plain.costPerCorrect, plain.projected.on_demand]).toEqual([null, null, null]);
  });
});

describe('the chart marks the cheapest point at or above the accuracy asked for', () => {
  it('picks the batch point of the cheaper model that reaches it', () => {
    const a = compareLine('a.csv', 'us.amazon.nova-pro-v1:0', ROWS, shippedTable(), 100);
    const all = points({ fullRows: 100, lines: [a] });
    expect(all.map((p) => p.mode)).toEqual(['on_demand', 'flex', 'batch']);
    expect(cheapestAbove(all, 0.6)?.per1k).toBeCloseTo(1.08, 8); // half of 2.16
    expect(cheapestAbove(all, 0.7)).toBeUndefined();
  });
});
