/**
 * What a request can cost before it is sent: the most (the budget check) and the least (the low
 * end of `estimate`), at the prices it will be charged: its model id's routing (the regional
 * premium) and the tier it asks for.
 */
import { routingOf } from '../bedrock/models.js';
import { estimateRequestTokens } from '../input/tokens.js';
import type { PromptRequest } from '../types.js';
import { type Pico, perTokenPico, usdNumber } from './money.js';
import { type AppliedPrices, appliedPrices, type PriceMode } from './rules.js';
import { findPrice, type PriceTable, pricedId } from './table.js';

/** The prices a request will pay; null without a price (or without one for its tier). */
export function requestPrices(
  request: PromptRequest,
  table: PriceTable,
  mode: PriceMode = 'onDemand',
): AppliedPrices | null {
  const found = findPrice(table, request.model);
  if (!found) return null;
  const applied = appliedPrices(
    found.price,
    {
      routing: routingOf(pricedId(table, request.model)),
      ...(mode === 'batch' ? { mode } : {}),
      ...(request.serviceTier ? { tier: request.serviceTier } : {}),
    },
    found.exact,
  );
  return 'missing' in applied ? null : applied;
}

/**
 * The most a request can cost: its estimated input tokens (the same estimate the token-per-minute
 * admission uses) plus its full `max_tokens` of output. A request that carries a cache point may be
 * billed its input as a cache write, so the dearest of the input and cache-write prices applies.
 * Null when the model has no price: the caller decides (a budget cannot be checked for it).
 *
 * The input side is an estimate (4 characters per token), not a guarantee; the scheduler should
 * settle the budget with each row's real `cost_usd` once it is known.
 */
export function worstCaseCost(
  request: PromptRequest,
  table: PriceTable,
  inputTokens?: number,
  mode: PriceMode = 'onDemand',
): Pico | null {
  const prices = requestPrices(request, table, mode);
  if (!prices) return null;
  const tokens = BigInt(inputTokens ?? estimateRequestTokens(request));
  let inputPrice = prices.input;
  if (hasCachePoint(request)) {
    const write = request.cacheSystem === '1h' ? prices.cacheWrite1h : prices.cacheWrite;
    inputPrice = Math.max(inputPrice, write ?? prices.cacheWrite ?? 0);
  }
  return (
    tokens * perTokenPico(inputPrice) + BigInt(request.inference.maxTokens) * perTokenPico(prices.output)
  );
}

/** `worstCaseCost` in USD, for a scheduler that keeps its budget as a number. */
export function worstCaseCostUsd(
  request: PromptRequest,
  table: PriceTable,
  inputTokens?: number,
): number | null {
  const pico = worstCaseCost(request, table, inputTokens);
  return pico === null ? null : usdNumber(pico);
}

/**
 * The least a request can cost: its input at the input price (the cheaper cache-read price when it
 * carries a cache point) and no output at all.
 */
export function bestCaseCost(
  request: PromptRequest,
  table: PriceTable,
  inputTokens?: number,
  mode: PriceMode = 'onDemand',
): Pico | null {
  const prices = requestPrices(request, table, mode);
  if (!prices) return null;
  const inputPrice =
    hasCachePoint(request) && prices.cacheRead !== null
      ? Math.min(prices.input, prices.cacheRead)
      : prices.input;
  return BigInt(inputTokens ?? estimateRequestTokens(request)) * perTokenPico(inputPrice);
}

function hasCachePoint(request: PromptRequest): boolean {
  return (
    (request.cacheSystem !== undefined && request.system !== undefined) ||
    request.messages.some((message) => message.content.some((block) => 'cachePoint' in block))
  );
}
