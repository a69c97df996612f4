/**
 * `estimate` as a function: check every row the way a run does (same builder, same messages, all
 * bad rows named at once), count input tokens (the local estimate, or exactly through a counter
 * such as Bedrock's CountTokens), and work out the cost range and the shortest possible duration.
 * Nothing here calls a model.
 */
import { displayPath } from '../errors.js';
import { requestBuilder, requestDefaults } from '../input/request.js';
import { openSource } from '../input/source.js';
import { estimateRequestTokens } from '../input/tokens.js';
import type { JobSpec } from '../job/spec.js';
import type { PromptRequest } from '../types.js';
import { bestCaseCost, worstCaseCost } from './cost.js';
import { checkRows, countAll } from './estimate-rows.js';
import type { Pico } from './money.js';
import type { PriceTable } from './table.js';

/** Counts a request's input tokens exactly (CountTokens); the local estimate is used without one. */
export type TokenCounter = (request: PromptRequest) => Promise<number>;

export interface EstimateOptions {
  rpm?: number;
  tpm?: number;
  /** The least time one call takes, since concurrency alone bounds nothing. */
  latencyMs: number;
}

export interface ModelEstimate {
  model: string;
  rows: number;
  inputTokens: number;
  /** Sum of max_tokens: the most output the rows can produce. */
  maxOutputTokens: number;
  /** Null when the model has no price. */
  minCost: Pico | null;
  maxCost: Pico | null;
}

export interface Estimate {
  input: string;
  rows: number;
  counted: 'local' | 'api';
  inputTokens: number;
  maxOutputTokens: number;
  byModel: ModelEstimate[];
  /** Over the priced rows. */
  minCost: Pico;
  maxCost: Pico;
  unpricedRows: number;
  pricesAsOf: string;
  duration: {
    seconds: number;
    bound: 'rpm' | 'tpm' | 'concurrency';
    rpmSeconds: number | null;
    tpmSeconds: number | null;
    concurrencySeconds: number;
    concurrency: number;
    latencyMs: number;
    rpm: number | null;
    tpm: number | null;
  };
}

export async function estimateJob(
  spec: JobSpec,
  prices: PriceTable,
  options: EstimateOptions,
  deps: { cwd: string; counter?: TokenCounter; onWarning?: (message: string) => void },
): Promise<Estimate> {
  const label = displayPath(spec.input, deps.cwd);
  const source = openSource(spec.input, spec.inputFormat, label);
  const build = requestBuilder(requestDefaults(spec, label));
  const byModel = new Map<string, ModelEstimate>();
  const tally = (request: PromptRequest, inputTokens: number) => {
    let m = byModel.get(request.model);
    if (!m) {
      m = { model: request.model, rows: 0, inputTokens: 0, maxOutputTokens: 0, minCost: 0n, maxCost: 0n };
      byModel.set(request.model, m);
    }
    m.rows++;
    m.inputTokens += inputTokens;
    m.maxOutputTokens += request.inference.maxTokens;
    const min = bestCaseCost(request, prices, inputTokens);
    const max = worstCaseCost(request, prices, inputTokens);
    m.minCost = min === null || m.minCost === null ? null : m.minCost + min;
    m.maxCost = max === null || m.maxCost === null ? null : m.maxCost + max;
  };

  // Pass 1 checks every row (and, without a counter, counts it). Pass 2 asks the counter, and only
  // once every row is known to be good.
  const rows = await checkRows(
    source,
    build,
    label,
    deps.counter ? undefined : (r) => tally(r, estimateRequestTokens(r)),
  );
  if (deps.counter) await countAll(source, build, spec.concurrency, deps.counter, tally);

  const models = [...byModel.values()].sort((a, b) => (a.model < b.model ? -1 : 1));
  for (const m of models) {
    if (m.minCost === null)
      deps.onWarning?.(
        `no price for model "${m.model}": its ${m.rows} rows are left out of the cost (add it with --pricing FILE)`,
      );
  }
  const priced = models.filter((m) => m.minCost !== null);
  const inputTokens = models.reduce((n, m) => n + m.inputTokens, 0);
  const maxOutputTokens = models.reduce((n, m) => n + m.maxOutputTokens, 0);
  return {
    input: label,
    rows,
    counted: deps.counter ? 'api' : 'local',
    inputTokens,
    maxOutputTokens,
    byModel: models,
    minCost: priced.reduce((sum, m) => sum + (m.minCost ?? 0n), 0n),
    maxCost: priced.reduce((sum, m) => sum + (m.maxCost ?? 0n), 0n),
    unpricedRows: models.filter((m) => m.minCost === null).reduce((n, m) => n + m.rows, 0),
    pricesAsOf: prices.asOf,
    duration: durationBound(rows, inputTokens + maxOutputTokens, spec.concurrency, options),
  };
}

/**
 * The shortest possible duration: no faster than the request rate allows (rows / rpm), than the
 * token rate allows counting what Bedrock reserves at the start of each call (input + max_tokens,
 * over tpm), nor than `concurrency` calls at a time of at least `latencyMs` each.
 */
export function durationBound(
  rows: number,
  reservedTokens: number,
  concurrency: number,
  options: EstimateOptions,
): Estimate['duration'] {
  const rpmSeconds = options.rpm ? (rows / options.rpm) * 60 : null;
  const tpmSeconds = options.tpm ? (reservedTokens / options.tpm) * 60 : null;
  const concurrencySeconds = (rows * options.latencyMs) / 1000 / concurrency;
  let bound: Estimate['duration']['bound'] = 'concurrency';
  let seconds = concurrencySeconds;
  if (rpmSeconds !== null && rpmSeconds > seconds) [bound, seconds] = ['rpm', rpmSeconds];
  if (tpmSeconds !== null && tpmSeconds > seconds) [bound, seconds] = ['tpm', tpmSeconds];
  return {
    seconds,
    bound,
    rpmSeconds,
    tpmSeconds,
    concurrencySeconds,
    concurrency,
    latencyMs: options.latencyMs,
    rpm: options.rpm ?? null,
    tpm: options.tpm ?? null,
  };
}
