/**
 * `compare` as a function: one line per (results file, model), every cost from the rows' tokens
 * at the model's prices (not what a run paid: a row reused from the ledger paid nothing but costs
 * the same), and the full input's cost projected on-demand, at flex and at batch prices.
 */
import { type CostResult, modelCost, type PriceOptions, type TokenCounts } from '../cost/cost.js';
import { usdNumber } from '../cost/money.js';
import type { ResultsFile } from '../cost/results.js';
import type { PriceTable } from '../cost/table.js';
import { type CompareRow, readCompareRows } from './read.js';
import { macroF1, normalizeLabel, percentile } from './stats.js';

export const MODES = ['on_demand', 'flex', 'batch'] as const;
export type Mode = (typeof MODES)[number];
const MODE_PRICES: Record<Mode, PriceOptions> = {
  on_demand: { mode: 'onDemand' },
  flex: { mode: 'onDemand', tier: 'flex' },
  batch: { mode: 'batch' },
};

export interface CompareLine {
  file: string;
  model: string;
  rows: number;
  ok: number;
  /** Fraction of match=true among the rows scored true/false; null when none is scored. */
  accuracy: number | null;
  scored: number;
  correct: number;
  macroF1: number | null;
  /** USD of every row's tokens at the on-demand prices; null when the model has no price. */
  cost: number | null;
  costPer1k: number | null;
  costPerCorrect: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  tokensIn: number;
  tokensOut: number;
  /** The full input's projected cost per mode; null where the model has no such price. */
  projected: Record<Mode, number | null>;
}

export interface Comparison {
  /** Rows of the full input the projection is for; null when neither --rows nor --input was given. */
  fullRows: number | null;
  lines: CompareLine[];
}

export async function buildComparison(
  files: readonly ResultsFile[],
  prices: PriceTable,
  fullRows: number | null,
  answerColumn = 'response',
): Promise<Comparison> {
  const lines: CompareLine[] = [];
  for (const file of files) {
    const byModel = new Map<string, CompareRow[]>();
    for await (const row of readCompareRows(file, answerColumn)) {
      const list = byModel.get(row.model) ?? [];
      list.push(row);
      byModel.set(row.model, list);
    }
    for (const [model, rows] of byModel) lines.push(compareLine(file.label, model, rows, prices, fullRows));
  }
  return { fullRows, lines };
}

export function compareLine(
  file: string,
  model: string,
  rows: readonly CompareRow[],
  prices: PriceTable,
  fullRows: number | null,
): CompareLine {
  const okRows = rows.filter((r) => r.ok);
  const usage = sumUsage(okRows);
  const scored = rows.filter((r) => r.match !== null);
  const correct = scored.filter((r) => r.match === true).length;
  const pairs = rows
    .filter((r) => r.ok && r.expected !== '')
    .map((r) => [normalizeLabel(r.expected), normalizeLabel(r.answer)] as const);
  const latencies = okRows.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs]));
  const cost = usd(modelCost(prices, model, usage, MODE_PRICES.on_demand));
  const projected = {} as Record<Mode, number | null>;
  for (const mode of MODES) {
    const atMode = usd(modelCost(prices, model, usage, MODE_PRICES[mode]));
    // full rows x the mean cost per answered row, i.e. x the mean tokens per row x the mode's prices
    projected[mode] =
      atMode === null || fullRows === null || okRows.length === 0
        ? null
        : (atMode * fullRows) / okRows.length;
  }
  return {
    file,
    model,
    rows: rows.length,
    ok: okRows.length,
    accuracy: scored.length === 0 ? null : correct / scored.length,
    scored: scored.length,
    correct,
    macroF1: macroF1(pairs),
    cost,
    costPer1k: cost === null || rows.length === 0 ? null : (cost * 1000) / rows.length,
    costPerCorrect: cost === null || correct === 0 ? null : cost / correct,
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    tokensIn: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    tokensOut: usage.outputTokens,
    projected,
  };
}

function sumUsage(rows: readonly CompareRow[]): Required<TokenCounts> {
  const total = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
  };
  for (const r of rows) {
    total.inputTokens += r.inputTokens;
    total.outputTokens += r.outputTokens;
    total.cacheReadTokens += r.cacheReadTokens;
    total.cacheWriteTokens += r.cacheWriteTokens;
    total.cacheWrite1hTokens += r.cacheWrite1hTokens;
  }
  return total;
}

function usd(result: CostResult): number | null {
  return 'pico' in result ? usdNumber(result.pico) : null;
}
