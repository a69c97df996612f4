/**
 * The pricing rules in one place, so a row's cost, a request's bounds and the estimate all apply
 * the same ones: batch or the served service tier picks the prices, cache prices follow the tier,
 * and geo and in-region ids pay the regional premium over `global.`.
 */
import type { Routing } from '../bedrock/models.js';
import type { ModelPrice } from './table.js';

/** On-demand calls, or Bedrock Batch Inference (the batch prices). */
export type PriceMode = 'onDemand' | 'batch';

/** Why a cost cannot be given: the model has no price, or lacks one that the usage needs. */
export type Missing = 'model' | 'cacheRead' | 'cacheWrite' | 'cacheWrite1h' | 'batch' | 'flex' | 'priority';

/** How a call was served, which decides its prices. */
export interface PriceOptions {
  mode?: PriceMode;
  /** The served service tier; absent or `default`: the standard prices. */
  tier?: string;
  /** How the model id routes; `geo` and `in-region` pay the entry's regional premium. */
  routing?: Routing;
}

/** The per-1,000-token prices one call pays, every rule applied (tier or batch, premium). */
export interface AppliedPrices {
  input: number;
  output: number;
  cacheRead: number | null;
  cacheWrite: number | null;
  cacheWrite1h: number | null;
}

/**
 * The rules, in order: batch or the tier picks the input and output prices (cache prices follow
 * the tier's share of the input price, since AWS states none per tier); then a geo or in-region id
 * pays the regional premium on all of them, unless the price is that exact id's own entry.
 */
export function appliedPrices(
  price: ModelPrice,
  options: PriceOptions = {},
  exact = false,
): AppliedPrices | { missing: Missing } {
  const tier = options.tier ?? 'default';
  let input = price.input;
  let output = price.output;
  if (options.mode === 'batch') {
    if (price.batchInput === null || price.batchOutput === null) return { missing: 'batch' };
    [input, output] = [price.batchInput, price.batchOutput];
  } else if (tier === 'flex' || tier === 'priority') {
    const i = tier === 'flex' ? price.flexInput : price.priorityInput;
    const o = tier === 'flex' ? price.flexOutput : price.priorityOutput;
    if (i === undefined || i === null || o === undefined || o === null) return { missing: tier };
    [input, output] = [i, o];
  }
  const tierShare =
    options.mode !== 'batch' && tier !== 'default' && price.input > 0 ? input / price.input : 1;
  const premium =
    !exact && options.routing !== undefined && options.routing !== 'global'
      ? (price.regionalPremium ?? 0)
      : 0;
  const scale = (value: number | null | undefined, share: number) =>
    value === null || value === undefined ? null : roundPrice(value * share * (1 + premium));
  return {
    input: roundPrice(input * (1 + premium)),
    output: roundPrice(output * (1 + premium)),
    cacheRead: scale(price.cacheRead, tierShare),
    cacheWrite: scale(price.cacheWrite, tierShare),
    cacheWrite1h: scale(price.cacheWrite1h, tierShare),
  };
}

/** To the picodollar per token (9 decimals per 1,000), so 0.001 x 1.1 is 0.0011, not 0.0011000000000000001. */
function roundPrice(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
