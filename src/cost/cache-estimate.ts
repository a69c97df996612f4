/**
 * `estimate` with `--cache-system`: the cost of the job with and without the prompt cache, side by
 * side. A pure accumulator the estimate command feeds every checked row: the first row of a model
 * with a given system prompt writes it to the cache (at the cache-write price of its TTL), every
 * later row with the same prompt reads it (at the cache-read price), the rest of each prompt is
 * plain input. Uncached, every token is plain input. A system prompt below the model's minimum for
 * a cache point is plain input in both columns, as Bedrock bills it.
 *
 * It assumes rows sharing a prompt run within the TTL of each other (a run at any useful speed
 * does); a job spread over hours with 5-minute caching pays more writes than shown here.
 */
import { createHash } from 'node:crypto';
import { cacheMinimum } from '../bedrock/models.js';
import { estimateTokens } from '../input/tokens.js';
import type { PromptRequest } from '../types.js';
import { requestPrices } from './bounds.js';
import { grouped, type Pico, perTokenPico, usdNumber } from './money.js';
import type { PriceTable } from './table.js';

export interface CostRange {
  /** No output at all. */
  min: Pico;
  /** Every row's full max_tokens of output. */
  max: Pico;
}

export interface CacheComparison {
  /** Rows of priced models; unpriced ones are in neither column. */
  rows: number;
  cacheWrites: number;
  cacheReads: number;
  /** Cached tokens written and read, summed over the rows. */
  writeTokens: number;
  readTokens: number;
  uncached: CostRange;
  cached: CostRange;
}

export class CacheEstimator {
  private readonly seen = new Set<string>();
  private readonly totals: CacheComparison = {
    rows: 0,
    cacheWrites: 0,
    cacheReads: 0,
    writeTokens: 0,
    readTokens: 0,
    uncached: { min: 0n, max: 0n },
    cached: { min: 0n, max: 0n },
  };

  constructor(private readonly table: PriceTable) {}

  /** One checked row; `inputTokens` counts its whole prompt, system prompt included. */
  add(request: PromptRequest, inputTokens: number): void {
    const prices = requestPrices(request, this.table);
    if (!prices) return;
    const t = this.totals;
    t.rows++;
    const input = perTokenPico(prices.input);
    const output = BigInt(request.inference.maxTokens) * perTokenPico(prices.output);
    const plain = BigInt(inputTokens) * input;
    t.uncached.min += plain;
    t.uncached.max += plain + output;

    const system = request.system;
    const minimum = cacheMinimum(request.model);
    const systemTokens = system === undefined ? 0 : Math.min(estimateTokens(system), inputTokens);
    const write = request.cacheSystem === '1h' ? prices.cacheWrite1h : prices.cacheWrite;
    if (
      request.cacheSystem === undefined ||
      system === undefined ||
      minimum === undefined ||
      systemTokens < minimum ||
      write === null ||
      prices.cacheRead === null
    ) {
      t.cached.min += plain;
      t.cached.max += plain + output;
      return;
    }
    const key = createHash('sha256').update(`${request.model}\u0000${system}`).digest('base64');
    const first = !this.seen.has(key);
    this.seen.add(key);
    const cachedPart = BigInt(systemTokens) * perTokenPico(first ? write : prices.cacheRead);
    if (first) {
      t.cacheWrites++;
      t.writeTokens += systemTokens;
    } else {
      t.cacheReads++;
      t.readTokens += systemTokens;
    }
    const cost = BigInt(inputTokens - systemTokens) * input + cachedPart;
    t.cached.min += cost;
    t.cached.max += cost + output;
  }

  result(): CacheComparison {
    const t = this.totals;
    return { ...t, uncached: { ...t.uncached }, cached: { ...t.cached } };
  }
}

/** The side-by-side lines `estimate` prints under its cost range. */
export function cacheComparisonLines(c: CacheComparison, dollars: (pico: Pico) => string): string[] {
  const range = (r: CostRange) => `${dollars(r.min)} to ${dollars(r.max)}`;
  return [
    `uncached  ${range(c.uncached)}`,
    `cached    ${range(c.cached)} (${count(c.cacheWrites, 'cache write')}, ${count(c.cacheReads, 'cache read')} of the system prompt)`,
  ];
}

function count(n: number, what: string): string {
  return `${grouped(n)} ${what}${n === 1 ? '' : 's'}`;
}

/** The same for `estimate --format json`: exact USD figures as numbers. */
export function cacheComparisonJson(c: CacheComparison): Record<string, unknown> {
  const usd = (pico: Pico) => usdNumber(pico);
  return {
    rows: c.rows,
    cacheWrites: c.cacheWrites,
    cacheReads: c.cacheReads,
    writeTokens: c.writeTokens,
    readTokens: c.readTokens,
    uncached: { minCostUsd: usd(c.uncached.min), maxCostUsd: usd(c.uncached.max) },
    cached: { minCostUsd: usd(c.cached.min), maxCostUsd: usd(c.cached.max) },
  };
}
