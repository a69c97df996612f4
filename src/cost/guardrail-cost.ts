/**
 * What a guardrail's evaluation of one call cost: Bedrock bills guardrails per text unit (up to
 * 1,000 characters) per policy type, apart from the model's tokens, at the prices in
 * guardrail-prices.json. The units come from the guardrail's trace (`invocationMetrics.usage`), the
 * only place Bedrock reports them: without `--guardrail-trace` the cost is unknown (empty, never 0).
 */
import type { GuardrailUnits } from '../types.js';
import shipped from './guardrail-prices.json' with { type: 'json' };
import { type Pico, perTokenPico, usdNumber } from './money.js';

export type GuardrailPrices = Record<keyof GuardrailUnits, number | null>;

export const GUARDRAIL_PRICES = shipped.prices as GuardrailPrices;

/** The units' cost in picodollars, or the first policy that used units and has no price. */
export function guardrailCost(
  units: GuardrailUnits,
  prices: GuardrailPrices = GUARDRAIL_PRICES,
): { pico: Pico } | { missing: keyof GuardrailUnits } {
  let pico = 0n;
  for (const [policy, count] of Object.entries(units) as Array<[keyof GuardrailUnits, number]>) {
    if (count <= 0) continue;
    const price = prices[policy];
    if (price === null || price === undefined) return { missing: policy };
    // A price per 1,000 units is picodollars per unit exactly as a price per 1,000 tokens is per token.
    pico += BigInt(Math.round(count)) * perTokenPico(price);
  }
  return { pico };
}

/** `guardrail_usd`: the units' cost, or null when they are unknown (a response without a trace) or a policy has no price. */
export function guardrailUsd(units: GuardrailUnits | undefined): number | null {
  if (units === undefined) return null;
  const cost = guardrailCost(units);
  return 'pico' in cost ? usdNumber(cost.pico) : null;
}
