/**
 * Report totals and rendering over hand-made rows, and the estimate's duration bound, checked
 * against figures worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { time } from '../../src/commands/estimate-text.js';
import { Aggregator, type GroupBy } from '../../src/cost/aggregate.js';
import { renderHtml } from '../../src/cost/html.js';
import { renderCsv, renderJson, renderMarkdown, renderTable } from '../../src/cost/render.js';
import type { ReportRow } from '../../src/cost/results.js';
import { durationBound } from '../../src/plan/estimate.js';

const row = (
  model: string,
  status: string,
  cost: bigint | null,
  tokens: number[],
  day = '2026-11-01',
): ReportRow => ({
  job: `${day}.results.csv`,
  model,
  status,
  day,
  inputTokens: tokens[0] ?? 0,
  outputTokens: tokens[1] ?? 0,
  cacheReadTokens: tokens[2] ?? 0,
  cacheWriteTokens: tokens[3] ?? 0,
  cost,
});

// Costs in picodollars: 875,000,000 = $0.000875 (1,000 in + 500 out of Claude 3 Haiku).
const ROWS = [
  row('haiku', 'ok', 875_000_000n, [1000, 500]),
  row('haiku', 'ok', 125_000_000n, [100, 80], '2026-11-02'),
  row('haiku', 'error', null, []),
  row('sonnet', 'ok', 7_800_000_000n, [100, 50, 10_000, 1000], '2026-11-02'),
  row('acme', 'ok', null, [10, 5]),
];

function report(by: GroupBy) {
  const aggregator = new Aggregator(by, ['a.results.csv']);
  for (const r of ROWS) aggregator.add(r);
  return aggregator.report();
}

describe('Aggregator', () => {
  it.each([
    // by, [key, rows, ok, error, unpriced, cost]
    [
      'model',
      [
        ['sonnet', 1, 1, 0, 0, 7_800_000_000n],
        ['haiku', 3, 2, 1, 0, 1_000_000_000n],
        ['acme', 1, 1, 0, 1, 0n],
      ],
    ],
    [
      'day',
      [
        ['2026-11-01', 3, 2, 1, 1, 875_000_000n],
        ['2026-11-02', 2, 2, 0, 0, 7_925_000_000n],
      ],
    ],
    [
      'status',
      [
        ['error', 1, 0, 1, 0, 0n],
        ['ok', 4, 4, 0, 1, 8_800_000_000n],
      ],
    ],
  ] as const)('groups by %s', (by, expected) => {
    const r = report(by);
    expect(r.groups.map((g) => [g.key, g.rows, g.ok, g.error, g.unpriced, g.cost])).toEqual(expected);
    expect(r.total).toMatchObject({ rows: 5, ok: 4, error: 1, unpriced: 1, cost: 8_800_000_000n });
    expect(r.total).toMatchObject({
      inputTokens: 1210,
      outputTokens: 635,
      cacheReadTokens: 10_000,
      cacheWriteTokens: 1000,
    });
  });
});

describe('rendering', () => {
  const r = report('model');

  it('aligns the terminal table, with a total row and the unpriced note', () => {
    expect(renderTable(r)).toBe(
      [
        'model   rows  ok  error  input tokens  output tokens  cache read  cache write      cost  unpriced',
        '──────  ────  ──  ─────  ────────────  ─────────────  ──────────  ───────────  ────────  ────────',
        'sonnet     1   1      0           100             50      10,000        1,000   $0.0078         0',
        'haiku      3   2      1         1,100            580           0            0   $0.0010         0',
        'acme       1   1      0            10              5           0            0  unpriced         1',
        '──────  ────  ──  ─────  ────────────  ─────────────  ──────────  ───────────  ────────  ────────',
        'total      5   4      1         1,210            635      10,000        1,000   $0.0088         1',
        '',
        '1 ok row has no cost_usd (no price for its model when it ran): it is left out of the cost, not counted as $0.',
        '',
      ].join('\n'),
    );
  });

  it('gives exact costs in CSV and JSON, and no cost (not 0) for an unpriced group', () => {
    expect(renderCsv(r).split('\n')).toEqual([
      'model,rows,ok,error,unpriced_rows,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cost_usd',
      'sonnet,1,1,0,0,100,50,10000,1000,0.0078',
      'haiku,3,2,1,0,1100,580,0,0,0.001',
      'acme,1,1,0,1,10,5,0,0,',
      'total,5,4,1,1,1210,635,10000,1000,0.0088',
      '',
    ]);
    const json = JSON.parse(renderJson(r));
    expect(json.groups.map((g: { model: string; cost_usd: number | null }) => [g.model, g.cost_usd])).toEqual(
      [
        ['sonnet', 0.0078],
        ['haiku', 0.001],
        ['acme', null],
      ],
    );
    expect(json.total.cost_usd).toBe(0.0088);
  });

  it('writes a Markdown table with a bold total', () => {
    const md = renderMarkdown(r);
    expect(md).toContain('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(md).toContain(
      '| **total** | **5** | **4** | **1** | **1,210** | **635** | **10,000** | **1,000** | **$0.0088** | **1** |',
    );
  });

  it('writes HTML with one cost bar per priced group, the total, and escaped names', () => {
    const aggregator = new Aggregator('model', ['<b>.csv']);
    for (const r2 of [...ROWS, row('x<script>', 'ok', 1n, [1, 1])]) aggregator.add(r2);
    const html = renderHtml(aggregator.report());
    expect(html).toContain('id="total-cost">$0.0088<');
    expect(html).toContain('exactly $0.008800000001');
    expect(html.match(/<rect class="bar" data-key/g)).toHaveLength(3);
    expect(html).toContain('unpriced (1 row)');
    expect(html).not.toContain('<script');
    expect(html).toContain('x&lt;script&gt;');
  });
});

describe('durationBound', () => {
  it.each([
    // rows, reserved tokens, concurrency, options -> bound, seconds
    [25, 13_905, 8, { latencyMs: 1000 }, 'concurrency', 3.125],
    [25, 13_905, 8, { latencyMs: 1000, rpm: 10 }, 'rpm', 150],
    [25, 13_905, 8, { latencyMs: 1000, rpm: 10, tpm: 5000 }, 'tpm', 166.86],
    [1000, 600_000, 100, { latencyMs: 2000, rpm: 10_000, tpm: 2_000_000 }, 'concurrency', 20],
    [1000, 600_000, 100, { latencyMs: 0, rpm: 1000, tpm: 2_000_000 }, 'rpm', 60],
  ] as const)(
    '%i rows, %i tokens, -c %i, %j: bound by %s, %f s',
    (rows, tokens, c, options, bound, seconds) => {
      const d = durationBound(rows, tokens, c, options);
      expect(d.bound).toBe(bound);
      expect(d.seconds).toBeCloseTo(seconds, 6);
    },
  );

  it.each([
    [3.125, '3.1s'],
    [166.86, '2m 47s'],
    [7322, '2h 2m'],
  ])('prints %f seconds as %s', (seconds, text) => {
    expect(time(seconds)).toBe(text);
  });
});
