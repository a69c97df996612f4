/**
 * Prices and per-row costs against figures worked out by hand from the shipped table
 * (USD per 1,000 tokens), including cache tokens, inference-profile ids and ARNs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelCost, Pricer, usageCost, worstCaseCostUsd } from '../../src/cost/cost.js';
import { loadPriceTable } from '../../src/cost/load.js';
import { dollars, exactUsd, formatUsd, parseCostCell, picoFromUsd, usdNumber } from '../../src/cost/money.js';
import { priceOf, shippedTable } from '../../src/cost/table.js';
import { knownModelIds } from '../../src/emulator/catalogue/catalogue.js';
import { RunBatchError } from '../../src/errors.js';
import type { PromptRequest, ResultRecord } from '../../src/types.js';

const table = shippedTable();
const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

function usd(model: string, u: ReturnType<typeof usage>, mode: 'onDemand' | 'batch' = 'onDemand'): string {
  const result = modelCost(table, model, u, mode);
  if (!('pico' in result)) throw new Error(`no cost: ${result.missing}`);
  return exactUsd(result.pico);
}

describe('the shipped pricing table', () => {
  it('has an as-of date and a source for every model', () => {
    expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [id, price] of Object.entries(table.models)) {
      expect(price.source, id).toBeDefined();
      expect(table.sources[price.source ?? ''], `${id} source`).toBeDefined();
    }
  });

  it('prices every model the emulator serves, and the seed five', () => {
    for (const id of knownModelIds()) expect(priceOf(table, id), id).toBeDefined();
    for (const id of [
      'anthropic.claude-3-5-sonnet-20241022-v2:0',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic.claude-3-opus-20240229-v1:0',
      'anthropic.claude-3-sonnet-20240229-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
    ]) {
      expect(priceOf(table, id), id).toBeDefined();
    }
  });

  it.each([
    // model, input, output, batch input, batch output, cache write, cache read (reference 8.2)
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 0.003, 0.015, 0.0015, 0.0075, 0.00375, 0.0003],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 0.0008, 0.004, 0.0004, 0.002, 0.001, 0.00008],
    ['anthropic.claude-3-opus-20240229-v1:0', 0.015, 0.075, 0.0075, 0.0375, null, null],
    ['anthropic.claude-3-sonnet-20240229-v1:0', 0.003, 0.015, 0.0015, 0.0075, null, null],
    ['anthropic.claude-3-haiku-20240307-v1:0', 0.00025, 0.00125, 0.000125, 0.000625, null, null],
  ])(
    '%s matches the reference prices',
    (id, input, output, batchInput, batchOutput, cacheWrite, cacheRead) => {
      expect(priceOf(table, id)).toMatchObject({
        input,
        output,
        batchInput,
        batchOutput,
        cacheWrite,
        cacheRead,
      });
    },
  );
});

describe('priceOf', () => {
  const haiku = priceOf(table, 'anthropic.claude-3-haiku-20240307-v1:0');
  it.each([
    'us.anthropic.claude-3-haiku-20240307-v1:0',
    'eu.anthropic.claude-3-haiku-20240307-v1:0',
    'apac.anthropic.claude-3-haiku-20240307-v1:0',
    'global.anthropic.claude-3-haiku-20240307-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0',
    'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
  ])('prices %s as its base model', (id) => {
    expect(priceOf(table, id)).toBe(haiku);
  });

  it('knows no price for an unknown model', () => {
    expect(priceOf(table, 'acme.unknown-v1:0')).toBeUndefined();
    expect(modelCost(table, 'us.acme.unknown-v1:0', usage(1, 1))).toEqual({ missing: 'model' });
  });
});

describe('cost of a call, by hand', () => {
  it.each([
    // 1,000 in x 0.00025 + 500 out x 0.00125 = 0.00025 + 0.000625
    ['anthropic.claude-3-haiku-20240307-v1:0', usage(1000, 500), '0.000875'],
    // 49 x 0.00025/1000 + 27 x 0.00125/1000 = 0.00001225 + 0.00003375
    ['anthropic.claude-3-haiku-20240307-v1:0', usage(49, 27), '0.000046'],
    // a profile id prices as its base: 2,000 x 0.003/1000 + 300 x 0.015/1000 = 0.006 + 0.0045
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', usage(2000, 300), '0.0105'],
    // cache at its own prices: 100 in x 0.003 + 50 out x 0.015 + 10,000 read x 0.0003 + 1,000 write x 0.00375
    //   = 0.0003 + 0.00075 + 0.003 + 0.00375
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', usage(100, 50, 10_000, 1000), '0.0078'],
    // 3.5 Haiku: 20 x 0.0008 + 10 x 0.004 + 4,096 x 0.00008 + 2,048 x 0.001 (per 1,000)
    //   = 0.000016 + 0.00004 + 0.00032768 + 0.002048
    ['eu.anthropic.claude-3-5-haiku-20241022-v1:0', usage(20, 10, 4096, 2048), '0.00243168'],
    // Nova Micro through an ARN: 38 x 0.000035 + 45 x 0.00014 + 1,000 read x 0.00000875 (per 1,000)
    //   = 0.00000133 + 0.0000063 + 0.00000875
    [
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-micro-v1:0',
      usage(38, 45, 1000),
      '0.00001638',
    ],
    // Opus 4 through global.: 1 in x 0.015 + 1 out x 0.075 + 1 write x 0.01875 (per 1,000)
    ['global.anthropic.claude-opus-4-20250514-v1:0', usage(1, 1, 0, 1), '0.00010875'],
    // Llama 3.3 70B: 1,234 x 0.00072 + 567 x 0.00072 = 1,801 x 0.00000072
    ['us.meta.llama3-3-70b-instruct-v1:0', usage(1234, 567), '0.00129672'],
    // Llama 4 Maverick through a profile: 1,000 x 0.00024 + 1,000 x 0.00097 (per 1,000)
    ['us.meta.llama4-maverick-17b-instruct-v1:0', usage(1000, 1000), '0.00121'],
    // Mistral Large 2402: 10 x 0.004 + 10 x 0.012 (per 1,000)
    ['mistral.mistral-large-2402-v1:0', usage(10, 10), '0.00016'],
  ])('%s %j costs $%s', (model, u, expected) => {
    expect(usd(model, u)).toBe(expected);
  });

  it('uses the batch prices in batch mode: 1,000 in x 0.000125 + 1,000 out x 0.000625', () => {
    expect(usd('anthropic.claude-3-haiku-20240307-v1:0', usage(1000, 1000), 'batch')).toBe('0.00075');
  });

  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', usage(10, 10, 5), 'cacheRead'],
    ['anthropic.claude-3-opus-20240229-v1:0', usage(10, 10, 0, 5), 'cacheWrite'],
    ['meta.llama3-8b-instruct-v1:0', usage(10, 10), 'batch'],
  ])('gives no cost for %s %j: it lacks the %s price', (model, u, missing) => {
    const mode = missing === 'batch' ? 'batch' : 'onDemand';
    expect(modelCost(table, model, u, mode)).toEqual({ missing });
  });

  it('sums without float drift: 0.1 + 0.2 of a dollar is 0.3', () => {
    const price = {
      input: 0.1,
      output: 0.2,
      cacheRead: null,
      cacheWrite: null,
      batchInput: null,
      batchOutput: null,
    };
    const result = usageCost(price, usage(1000, 1000));
    expect('pico' in result && exactUsd(result.pico)).toBe('0.3');
  });
});

describe('money', () => {
  it.each([
    [875_000_000n, 4, '0.0009'],
    [874_999_999n, 4, '0.0009'],
    [849_999_999n, 4, '0.0008'],
    [5_000_000_000n, 2, '0.01'],
    [4_999_999_999n, 2, '0.00'],
    [12_345_678_900_000n, 2, '12.35'],
    [0n, 4, '0.0000'],
  ])('formats %s picodollars to %i places as %s', (pico, places, text) => {
    expect(formatUsd(pico, places)).toBe(text);
  });

  it('round-trips a cost_usd value through its number', () => {
    for (const pico of [1n, 7_630_000n, 46_000_000n, 123_456_789_012n, 999_999_999_999_999n]) {
      expect(picoFromUsd(usdNumber(pico))).toBe(pico);
      expect(parseCostCell(String(usdNumber(pico)))).toBe(pico);
    }
  });

  it.each([
    ['', null],
    [null, null],
    ['0.000875', 875_000_000n],
    ['7.63e-6', 7_630_000n],
    [0.5, 500_000_000_000n],
    ['abc', undefined],
    ['-1', undefined],
  ])('reads the cost cell %j as %s', (cell, pico) => {
    expect(parseCostCell(cell)).toBe(pico);
  });

  it('prints dollars for people', () => {
    expect(dollars(1_630_000_000n)).toBe('$0.0016');
  });
});

describe('Pricer (fills cost_usd for a run)', () => {
  const record = (model: string, extra: Partial<ResultRecord> = {}): ResultRecord => ({
    id: '1',
    status: 'ok',
    model,
    response: 'x',
    stop_reason: 'end_turn',
    input_tokens: 1000,
    output_tokens: 500,
    total_tokens: 1500,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: null,
    latency_ms: 1,
    attempts: 1,
    finished_at: '2026-01-01T00:00:00.000Z',
    request_hash: '',
    error_code: '',
    error_message: '',
    ...extra,
  });

  it('prices ok rows, leaves failed rows empty, and warns once per unpriced model', () => {
    const warnings: string[] = [];
    const pricer = new Pricer(table, (m) => warnings.push(m));
    expect(pricer.recordCost(record('us.anthropic.claude-3-haiku-20240307-v1:0'))).toBe(0.000875);
    const failed = {
      status: 'error',
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      cache_read_tokens: null,
      cache_write_tokens: null,
    } as const;
    expect(pricer.recordCost(record('anthropic.claude-3-haiku-20240307-v1:0', failed))).toBeNull();
    // A row that failed on bad answers (--json-schema) carries their tokens: they were billed.
    expect(pricer.recordCost(record('us.anthropic.claude-3-haiku-20240307-v1:0', { status: 'error' }))).toBe(
      0.000875,
    );
    expect(pricer.recordCost(record('acme.new-model-v1:0'))).toBeNull();
    expect(pricer.recordCost(record('acme.new-model-v1:0'))).toBeNull();
    expect(pricer.recordCost(record('acme.other-v1:0'))).toBeNull();
    expect(warnings).toEqual([
      'no price for model "acme.new-model-v1:0": its rows get an empty cost_usd (add the model with --pricing FILE)',
      'no price for model "acme.other-v1:0": its rows get an empty cost_usd (add the model with --pricing FILE)',
    ]);
  });
});

describe('worstCaseCostUsd (for the --max-cost admission)', () => {
  const request = (model: string, text: string, maxTokens: number, cache = false): PromptRequest => ({
    index: 0,
    line: 2,
    id: '1',
    row: {},
    model,
    messages: [
      { role: 'user', content: cache ? [{ text }, { cachePoint: { type: 'default' } }] : [{ text }] },
    ],
    inference: { maxTokens, stopSequences: [] },
  });

  it.each([
    // 400 characters = 100 estimated tokens x 0.00025 + 512 x 0.00125 (per 1,000) = 0.000025 + 0.00064
    ['us.anthropic.claude-3-haiku-20240307-v1:0', 'x'.repeat(400), 512, false, 0.000665],
    // 4,000 characters = 1,000 tokens x 0.003 + 1,000 x 0.015 (per 1,000) = 0.003 + 0.015
    ['anthropic.claude-sonnet-4-20250514-v1:0', 'y'.repeat(4000), 1000, false, 0.018],
    // with a cachePoint the input may be written to the cache at 0.00375: 0.00375 + 0.015
    // (the estimate counts the block's "default" too: 3,993 + 7 characters = 1,000 tokens)
    ['anthropic.claude-sonnet-4-20250514-v1:0', 'y'.repeat(3993), 1000, true, 0.01875],
    ['acme.unknown-v1:0', 'z', 10, false, null],
  ])('%s, %#', (model, text, maxTokens, cache, expected) => {
    expect(worstCaseCostUsd(request(model, text, maxTokens, cache), table)).toBe(expected);
  });

  it('takes an exact input count when the caller has one (CountTokens)', () => {
    // 10 x 0.00025 + 512 x 0.00125 (per 1,000) = 0.0000025 + 0.00064
    expect(worstCaseCostUsd(request('anthropic.claude-3-haiku-20240307-v1:0', 'x', 512), table, 10)).toBe(
      0.0006425,
    );
  });
});

describe('--pricing FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pricing-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('replaces a shipped model and adds new ones, from JSON or YAML', () => {
    const json = file(
      'p.json',
      JSON.stringify({
        asOf: '2026-12-01',
        models: {
          'anthropic.claude-3-haiku-20240307-v1:0': { input: 0.001, output: 0.002 },
          'us.anthropic.claude-sonnet-4-5-20250929-v1:0': { input: 0.0033, output: 0.0165 },
        },
      }),
    );
    const merged = loadPriceTable(json);
    expect(merged.asOf).toBe('2026-12-01');
    expect(priceOf(merged, 'us.anthropic.claude-3-haiku-20240307-v1:0')).toMatchObject({
      input: 0.001,
      output: 0.002,
      cacheRead: null,
    });
    // An exact profile entry wins over its base model; other profiles still price as the base.
    expect(priceOf(merged, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')?.input).toBe(0.0033);
    expect(priceOf(merged, 'global.anthropic.claude-sonnet-4-5-20250929-v1:0')?.input).toBe(0.003);

    const yaml = file(
      'p.yaml',
      'models:\n  acme.new-v1:0:\n    input: 0.5\n    output: 1\n    cacheRead: 0.05\n',
    );
    expect(priceOf(loadPriceTable(yaml), 'us.acme.new-v1:0')).toMatchObject({ input: 0.5, cacheRead: 0.05 });
  });

  it.each([
    ['missing.json', null, /--pricing .*missing\.json: cannot read: no such file/],
    ['bad.json', '{"models": {', /--pricing .*bad\.json: not valid JSON/],
    ['bad.yaml', 'models: [1, 2', /--pricing .*bad\.yaml: not valid YAML/],
    ['list.json', '[]', /list\.json: must be an object with a "models" map, got a list/],
    ['nomodels.json', '{"prices": {}}', /nomodels\.json: unknown key "prices"/],
    [
      'str.json',
      '{"models": {"m": {"input": "0.1", "output": 1}}}',
      /models\["m"\]\.input must be a number from 0 up .*got "0\.1"/,
    ],
    [
      'neg.json',
      '{"models": {"m": {"input": 0.1, "output": -1}}}',
      /models\["m"\]\.output must be a number from 0 up .*got -1/,
    ],
    ['noout.json', '{"models": {"m": {"input": 0.1}}}', /models\["m"\]\.output is missing/],
    [
      'typo.json',
      '{"models": {"m": {"input": 0.1, "output": 1, "cache_read": 0}}}',
      /models\["m"\]: unknown field "cache_read"/,
    ],
  ])('refuses %s with a CONFIG error naming it', (name, text, pattern) => {
    const path = text === null ? join(dir, name) : file(name, text);
    try {
      loadPriceTable(path);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunBatchError);
      expect((error as RunBatchError).code).toBe('CONFIG');
      expect((error as RunBatchError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(pattern);
    }
  });
});
