/**
 * The cost of token usage at a model's prices, in exact picodollars:
 * - `usageCost`: one call's reported usage, cache reads and writes at their own prices;
 * - `Pricer`: fills `cost_usd` of finished rows, warning once per model it cannot price;
 * - `appliedPrices`: the pricing rules (batch, service tier, regional premium, cache TTL) in one place.
 * The bounds of a request's cost before it is sent (the budget, `estimate`) are in bounds.ts.
 */
import { routingOf } from '../bedrock/models.js';
import type { ResultRecord } from '../types.js';
import { type Pico, perTokenPico, picoFromUsd, usdNumber } from './money.js';
import { appliedPrices, type Missing, type PriceMode, type PriceOptions } from './rules.js';
import { findPrice, type ModelPrice, type PriceTable, pricedId } from './table.js';

export {
  type AppliedPrices,
  appliedPrices,
  type Missing,
  type PriceMode,
  type PriceOptions,
} from './rules.js';

export type CostResult = { pico: Pico } | { missing: Missing };

export interface TokenCounts {
  /** Input tokens billed at the input price: Bedrock reports them without the cached ones. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Of cacheWriteTokens, those cached for 1 hour (the rest are 5-minute writes). */
  cacheWrite1hTokens?: number;
}

export function usageCost(
  price: ModelPrice,
  usage: TokenCounts,
  mode: PriceMode | PriceOptions = 'onDemand',
  exact = false,
): CostResult {
  const applied = appliedPrices(price, typeof mode === 'string' ? { mode } : mode, exact);
  if ('missing' in applied) return applied;
  let pico =
    BigInt(usage.inputTokens) * perTokenPico(applied.input) +
    BigInt(usage.outputTokens) * perTokenPico(applied.output);
  if (usage.cacheReadTokens > 0) {
    if (applied.cacheRead === null) return { missing: 'cacheRead' };
    pico += BigInt(usage.cacheReadTokens) * perTokenPico(applied.cacheRead);
  }
  const hour = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens);
  const fiveMinutes = usage.cacheWriteTokens - hour;
  if (fiveMinutes > 0) {
    if (applied.cacheWrite === null) return { missing: 'cacheWrite' };
    pico += BigInt(fiveMinutes) * perTokenPico(applied.cacheWrite);
  }
  if (hour > 0) {
    if (applied.cacheWrite1h === null) return { missing: 'cacheWrite1h' };
    pico += BigInt(hour) * perTokenPico(applied.cacheWrite1h);
  }
  return { pico };
}

/** The cost of one model's usage, or why there is none; the model id decides the routing. */
export function modelCost(
  table: PriceTable,
  modelId: string,
  usage: TokenCounts,
  mode: PriceMode | PriceOptions = 'onDemand',
): CostResult {
  const found = findPrice(table, modelId);
  if (!found) return { missing: 'model' };
  const options = typeof mode === 'string' ? { mode } : mode;
  const routing = routingOf(pricedId(table, modelId));
  return usageCost(found.price, usage, { routing, ...options }, found.exact);
}

const REASONS: Record<Missing, string> = {
  model: 'no price for model',
  cacheRead: 'no cache-read price for model',
  cacheWrite: 'no cache-write price for model',
  cacheWrite1h: 'no 1-hour cache-write price for model',
  batch: 'no batch price for model',
  flex: 'no flex-tier price for model',
  priority: 'no priority-tier price for model',
};

/** Prices finished rows for a run; warns once per model and reason, through the run's onWarning. */
export class Pricer {
  private readonly warned = new Set<string>();

  constructor(
    readonly table: PriceTable,
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  /**
   * The `cost_usd` of a finished row: its exact cost at the tier that served it (or at batch prices
   * for a Batch Inference record) and the TTL of its cache writes; null for a failed row that used
   * nothing (a failed row with tokens was billed for bad answers) or one without a price.
   */
  recordCost(record: ResultRecord, mode: PriceMode = 'onDemand'): number | null {
    if (record.status !== 'ok' && record.input_tokens === null) return null;
    const result = modelCost(
      this.table,
      record.model,
      {
        inputTokens: record.input_tokens ?? 0,
        outputTokens: record.output_tokens ?? 0,
        cacheReadTokens: record.cache_read_tokens ?? 0,
        cacheWriteTokens: record.cache_write_tokens ?? 0,
        cacheWrite1hTokens: record.cache_write_1h_tokens ?? 0,
      },
      // A Batch Inference record is written with service_tier "batch": batch prices, not a tier's.
      record.service_tier === 'batch' || mode === 'batch'
        ? { mode: 'batch' }
        : record.service_tier
          ? { tier: record.service_tier }
          : {},
    );
    // --guardrail: its text units are billed on top of the tokens (guardrail-cost.ts).
    const guardrail = typeof record.guardrail_usd === 'number' ? picoFromUsd(record.guardrail_usd) : 0n;
    if ('pico' in result) return usdNumber(result.pico + guardrail);
    this.warn(record.model, result.missing);
    return null;
  }

  private warn(model: string, missing: Missing): void {
    const key = `${missing}\u0000${model}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.onWarning(
      `${REASONS[missing]} "${model}": its rows get an empty cost_usd (add the model with --pricing FILE)`,
    );
  }
}

// The bounds of a request's cost before it is sent live in bounds.ts; kept importable from here.
export { bestCaseCost, worstCaseCost, worstCaseCostUsd } from './bounds.js';
