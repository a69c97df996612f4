/**
 * The cost of token usage at a model's prices, in exact picodollars:
 * - `usageCost`: one call's reported usage, cache reads and writes at their own prices;
 * - `Pricer`: fills `cost_usd` of finished rows, warning once per model it cannot price;
 * - `worstCaseCost`: what a request can cost at most before it is sent (the budget check).
 */
import { estimateRequestTokens } from '../input/tokens.js';
import type { PromptRequest, ResultRecord } from '../types.js';
import { type Pico, perTokenPico, usdNumber } from './money.js';
import { type ModelPrice, type PriceTable, priceOf } from './table.js';

export interface TokenCounts {
  /** Input tokens billed at the input price: Bedrock reports them without the cached ones. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** On-demand calls, or Bedrock Batch Inference (the batch prices). */
export type PriceMode = 'onDemand' | 'batch';

/** Why a cost cannot be given: the model has no price, or lacks one that the usage needs. */
export type Missing = 'model' | 'cacheRead' | 'cacheWrite' | 'batch';

export type CostResult = { pico: Pico } | { missing: Missing };

export function usageCost(price: ModelPrice, usage: TokenCounts, mode: PriceMode = 'onDemand'): CostResult {
  const input = mode === 'batch' ? price.batchInput : price.input;
  const output = mode === 'batch' ? price.batchOutput : price.output;
  if (input === null || output === null) return { missing: 'batch' };
  let pico =
    BigInt(usage.inputTokens) * perTokenPico(input) + BigInt(usage.outputTokens) * perTokenPico(output);
  if (usage.cacheReadTokens > 0) {
    if (price.cacheRead === null) return { missing: 'cacheRead' };
    pico += BigInt(usage.cacheReadTokens) * perTokenPico(price.cacheRead);
  }
  if (usage.cacheWriteTokens > 0) {
    if (price.cacheWrite === null) return { missing: 'cacheWrite' };
    pico += BigInt(usage.cacheWriteTokens) * perTokenPico(price.cacheWrite);
  }
  return { pico };
}

/** The cost of one model's usage, or why there is none. */
export function modelCost(
  table: PriceTable,
  modelId: string,
  usage: TokenCounts,
  mode: PriceMode = 'onDemand',
): CostResult {
  const price = priceOf(table, modelId);
  return price ? usageCost(price, usage, mode) : { missing: 'model' };
}

const REASONS: Record<Missing, string> = {
  model: 'no price for model',
  cacheRead: 'no cache-read price for model',
  cacheWrite: 'no cache-write price for model',
  batch: 'no batch price for model',
};

/** Prices finished rows for a run; warns once per model and reason, through the run's onWarning. */
export class Pricer {
  private readonly warned = new Set<string>();

  constructor(
    readonly table: PriceTable,
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  /** The `cost_usd` of a finished row: its exact cost; null for a failed row or one without a price. */
  recordCost(record: ResultRecord, mode: PriceMode = 'onDemand'): number | null {
    if (record.status !== 'ok') return null;
    const result = modelCost(
      this.table,
      record.model,
      {
        inputTokens: record.input_tokens ?? 0,
        outputTokens: record.output_tokens ?? 0,
        cacheReadTokens: record.cache_read_tokens ?? 0,
        cacheWriteTokens: record.cache_write_tokens ?? 0,
      },
      mode,
    );
    if ('pico' in result) return usdNumber(result.pico);
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

/**
 * The most a request can cost before it is sent: its estimated input tokens (the same estimate the
 * token-per-minute admission uses) plus its full `max_tokens` of output, at the model's on-demand
 * prices. A request carrying a cachePoint may be billed its input as a cache write, so the dearer
 * of the input and cache-write prices applies. Null when the model has no price: the caller
 * decides (a budget cannot be checked for it).
 *
 * The input side is an estimate (4 characters per token), not a guarantee; the scheduler should
 * settle the budget with each row's real `cost_usd` once it is known.
 */
export function worstCaseCost(request: PromptRequest, table: PriceTable, inputTokens?: number): Pico | null {
  const price = priceOf(table, request.model);
  if (!price) return null;
  const tokens = BigInt(inputTokens ?? estimateRequestTokens(request));
  const inputPrice =
    hasCachePoint(request) && price.cacheWrite !== null
      ? Math.max(price.input, price.cacheWrite)
      : price.input;
  return tokens * perTokenPico(inputPrice) + BigInt(request.inference.maxTokens) * perTokenPico(price.output);
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
 * carries a cachePoint) and no output at all.
 */
export function bestCaseCost(request: PromptRequest, table: PriceTable, inputTokens?: number): Pico | null {
  const price = priceOf(table, request.model);
  if (!price) return null;
  const inputPrice =
    hasCachePoint(request) && price.cacheRead !== null ? Math.min(price.input, price.cacheRead) : price.input;
  return BigInt(inputTokens ?? estimateRequestTokens(request)) * perTokenPico(inputPrice);
}

function hasCachePoint(request: PromptRequest): boolean {
  return request.messages.some((message) => message.content.some((block) => 'cachePoint' in block));
}
