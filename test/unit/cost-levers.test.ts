/**
 * One test per pricing rule (service tier, cache TTL, regional premium, batch) against figures
 * worked out by hand from the shipped table; the table's own promises (a source and as-of date for
 * every entry, unconfirmed fields named); the cached-vs-uncached estimate; the short-prompt warning.
 */
import { describe, expect, it } from 'vitest';
import { CacheEstimator, cacheComparisonJson, cacheComparisonLines } from '../../src/cost/cache-estimate.js';
import { modelCost, type PriceOptions, type TokenCounts } from '../../src/cost/cost.js';
import { cacheWarnings, leverFields } from '../../src/cost/levers.js';
import { dollars, exactUsd } from '../../src/cost/money.js';
import { mergeTables, parsePriceTable, shippedTable } from '../../src/cost/table.js';
import type { PromptRequest } from '../../src/types.js';

const table = shippedTable();
const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';

function usd(model: string, usage: Partial<TokenCounts>, options: PriceOptions = {}): string {
  const result = modelCost(
    table,
    model,
    { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, ...usage },
    options,
  );
  return 'pico' in result ? exactUsd(result.pico) : `missing ${result.missing}`;
}

describe('pricing rules, by hand', () => {
  it.each([
    // Nova Pro 0.80/3.20 per 1M standard; flex 0.5x = 0.40/1.60; priority 1.75x = 1.40/5.60.
    // 1,000 in + 500 out: standard 0.0008 + 0.0016; flex 0.0004 + 0.0008; priority 0.0014 + 0.0028.
    ['default', '0.0024'],
    ['flex', '0.0012'],
    ['priority', '0.0042'],
  ])('service tier %s: Nova Pro, 1,000 in and 500 out, costs $%s', (tier, cost) => {
    expect(usd('amazon.nova-pro-v1:0', { inputTokens: 1000, outputTokens: 500 }, { tier })).toBe(cost);
  });

  it('a tier without a price is missing, never the standard price', () => {
    expect(usd(`global.${HAIKU}`, { inputTokens: 10 }, { tier: 'flex' })).toBe('missing flex');
  });

  it.each([
    // Haiku 4.5, global: write 5m 1.25, write 1h 2.00, read 0.10 per 1M. 4,000 cached tokens:
    // 5m: 4,000 x 1.25/1M = 0.005; 1h: 4,000 x 2/1M = 0.008; read: 4,000 x 0.1/1M = 0.0004.
    ['5m write', { cacheWriteTokens: 4000 }, '0.005'],
    ['1h write', { cacheWriteTokens: 4000, cacheWrite1hTokens: 4000 }, '0.008'],
    ['mixed write', { cacheWriteTokens: 4000, cacheWrite1hTokens: 1000 }, '0.00575'],
    ['read', { cacheReadTokens: 4000 }, '0.0004'],
  ] as const)('cache TTL, %s', (_, usage, cost) => {
    expect(usd(`global.${HAIKU}`, usage)).toBe(cost);
  });

  it('a TTL the model has no price for is missing', () => {
    // Sonnet 4 caches for 5 minutes only in the table.
    expect(
      usd('us.anthropic.claude-sonnet-4-20250514-v1:0', { cacheWriteTokens: 10, cacheWrite1hTokens: 10 }),
    ).toBe('missing cacheWrite1h');
  });

  it.each([
    // Haiku 4.5: 1/5 per 1M global, 10% more through us., eu. or in region.
    // 1,000 in + 200 out + 1,000 read: global 0.001 + 0.001 + 0.0001 = 0.0021; regional x1.1 = 0.00231.
    [`global.${HAIKU}`, '0.0021'],
    [`us.${HAIKU}`, '0.00231'],
    [`eu.${HAIKU}`, '0.00231'],
    [HAIKU, '0.00231'],
    // Claude Sonnet 4 has no premium: 1,000 x 3 + 200 x 15 + 1,000 x 0.3 per 1M = 0.0063 either way.
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', '0.0063'],
    ['global.anthropic.claude-sonnet-4-20250514-v1:0', '0.0063'],
  ])('regional premium: %s costs $%s', (model, cost) => {
    expect(usd(model, { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 1000 })).toBe(cost);
  });

  it('an exact-id entry from --pricing is its own price: no premium on top', () => {
    const own = mergeTables(
      table,
      parsePriceTable({ models: { [`us.${HAIKU}`]: { input: 0.002, output: 0.01 } } }, 'test'),
      'test',
    );
    const result = modelCost(own, `us.${HAIKU}`, {
      inputTokens: 1000,
      outputTokens: 100,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    // 1,000 x 0.002/1K + 100 x 0.01/1K = 0.002 + 0.001.
    expect('pico' in result && exactUsd(result.pico)).toBe('0.003');
  });

  it.each([
    // Batch is half of on-demand: Haiku 4.5 0.5/2.5 per 1M. 1,000 in + 200 out: 0.0005 + 0.0005.
    [`global.${HAIKU}`, '0.001'],
    // ... and a regional id still pays the premium on the batch price: x1.1.
    [`us.${HAIKU}`, '0.0011'],
    // Llama 3.1 8B 0.22 per 1M both ways, batch 0.11: 1,200 x 0.11/1M.
    ['meta.llama3-1-8b-instruct-v1:0', '0.000132'],
  ])('batch: %s costs $%s', (model, cost) => {
    expect(usd(model, { inputTokens: 1000, outputTokens: 200 }, { mode: 'batch' })).toBe(cost);
  });
});

describe('the shipped table', () => {
  it.each(Object.entries(table.models))(
    '%s has a source, an as-of date and named unconfirmed fields',
    (_, price) => {
      expect(table.sources[price.source ?? '']).toBeDefined();
      expect(price.asOf).toMatch(/^\d{4}/);
      const fields = new Set(Object.keys(price));
      for (const field of price.unconfirmed ?? []) expect(fields.has(field), field).toBe(true);
    },
  );

  it('covers the current text models the issue names', () => {
    for (const id of [
      HAIKU,
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
      'anthropic.claude-opus-4-5-20251101-v1:0',
      'amazon.nova-micro-v1:0',
      'amazon.nova-premier-v1:0',
      'amazon.nova-2-lite-v1:0',
      'meta.llama3-3-70b-instruct-v1:0',
      'meta.llama4-maverick-17b-instruct-v1:0',
      'mistral.mistral-large-3-675b-instruct',
      'mistral.ministral-3-8b-instruct',
    ])
      expect(table.models[id], id).toBeDefined();
  });
});

function request(system: string | undefined, more: Partial<PromptRequest> = {}): PromptRequest {
  return {
    index: 0,
    line: 2,
    id: '1',
    row: {},
    model: `global.${HAIKU}`,
    ...(system === undefined ? {} : { system }),
    messages: [{ role: 'user', content: [{ text: 'q' }] }],
    inference: { maxTokens: 100, stopSequences: [] },
    cacheSystem: '5m',
    ...more,
  };
}

describe('estimate with --cache-system', () => {
  it('prices one write, then reads, side by side with no caching', () => {
    const estimator = new CacheEstimator(table);
    const system = 'x'.repeat(20_000); // 5,000 tokens at 4 characters each: above Haiku 4.5's 4,096
    for (let i = 0; i < 3; i++) estimator.add(request(system), 5100);
    const c = estimator.result();
    expect(c).toMatchObject({
      rows: 3,
      cacheWrites: 1,
      cacheReads: 2,
      writeTokens: 5000,
      readTokens: 10_000,
    });
    // Uncached: 3 x 5,100 x $1/1M = $0.0153; output at most 3 x 100 x $5/1M = $0.0015.
    expect(exactUsd(c.uncached.min)).toBe('0.0153');
    expect(exactUsd(c.uncached.max)).toBe('0.0168');
    // Cached: 3 x 100 plain ($0.0003) + 5,000 written x $1.25/1M ($0.00625) + 10,000 read x $0.1/1M ($0.001).
    expect(exactUsd(c.cached.min)).toBe('0.00755');
    expect(exactUsd(c.cached.max)).toBe('0.00905');
    expect(cacheComparisonLines(c, (p) => dollars(p, 5))).toEqual([
      'uncached  $0.01530 to $0.01680',
      'cached    $0.00755 to $0.00905 (1 cache write, 2 cache reads of the system prompt)',
    ]);
    expect(cacheComparisonJson(c)).toMatchObject({
      uncached: { minCostUsd: 0.0153, maxCostUsd: 0.0168 },
      cached: { minCostUsd: 0.00755, maxCostUsd: 0.00905 },
    });
  });

  it('prices a system prompt below the minimum as plain input in both columns', () => {
    const estimator = new CacheEstimator(table);
    for (let i = 0; i < 2; i++) estimator.add(request('short system prompt'), 10);
    const c = estimator.result();
    expect(c.cacheWrites + c.cacheReads).toBe(0);
    expect(c.cached).toEqual(c.uncached);
  });
});

describe('--cache-system warnings and result fields', () => {
  it('warns once per model that a system prompt is below its minimum, naming it', () => {
    const warnings: string[] = [];
    const see = cacheWarnings('5m', (m) => warnings.push(m));
    see(request('short'));
    see(request('also short'));
    see(request('x'.repeat(20_000)));
    see(request(undefined));
    expect(warnings).toEqual([
      `--cache-system: the system prompt (about 2 tokens, line 2) is shorter than the 4,096 tokens "global.${HAIKU}" needs before a cache point; Bedrock ignores the cache point and bills it as plain input`,
      '--cache-system: some rows have no system prompt, so they have nothing to cache',
    ]);
  });

  it('says nothing without --cache-system', () => {
    const warnings: string[] = [];
    cacheWarnings(undefined, (m) => warnings.push(m))(request('short'));
    expect(warnings).toEqual([]);
  });

  it.each([
    [{}, ['prompt'], []],
    [{ serviceTier: 'flex' as const }, ['prompt'], ['service_tier']],
    [{}, ['prompt', 'service_tier'], ['service_tier']],
    [{ cacheSystem: '1h' as const }, ['prompt'], ['cache_write_1h_tokens']],
  ])('writes the lever fields a job uses: %o over %o', (spec, columns, fields) => {
    expect(leverFields(spec, columns)).toEqual(fields);
  });
});
