/**
 * `estimate`: a dry run over the row plan. The plan checks every row exactly as a run does (same
 * builder, same checks, same messages), then input tokens are counted (the plan's local estimate,
 * or exactly through CountTokens, retried by the pool like any call) and the cost range and the
 * shortest possible duration worked out. Nothing here calls a model.
 */
import type { CountTask } from '../bedrock/count-tokens.js';
import { type CacheComparison, CacheEstimator } from '../cost/cache-estimate.js';
import { bestCaseCost, worstCaseCost } from '../cost/cost.js';
import type { Pico } from '../cost/money.js';
import type { PriceTable } from '../cost/table.js';
import { displayPath, RunBatchError } from '../errors.js';
import type { JobSpec } from '../job/spec.js';
import { Pool } from '../pool/pool.js';
import type { PromptRequest } from '../types.js';
import { rowChecks } from './checks.js';
import { contextProblem, tooLongProblem } from './limits.js';
import { type PlannedRow, planRows, type RowPlan } from './plan.js';
import type { EtagLookup } from './s3-objects.js';
import { badRows } from './scan.js';
import { spoolIfOnceOnly } from './spool.js';

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
  /** The same rows at Bedrock Batch Inference prices (null: no batch price). */
  batchMinCost: Pico | null;
  batchMaxCost: Pico | null;
}

export interface Estimate {
  input: string;
  rows: number;
  /** `--limit` / `--sample`: `120 of 300 rows (--sample 120 --seed 7)`. */
  slice?: string;
  counted: 'local' | 'api';
  inputTokens: number;
  maxOutputTokens: number;
  byModel: ModelEstimate[];
  /** Over the priced rows. */
  minCost: Pico;
  maxCost: Pico;
  unpricedRows: number;
  /** Rows the answer ledger already answers: left out of every figure (they will not be sent). */
  answered?: number;
  /** `--mode batch|auto`: the priced rows at batch prices; null when a model has no batch price. */
  batch?: { minCost: Pico; maxCost: Pico } | null;
  pricesAsOf: string;
  /** With --cache-system: the cost with and without the prompt cache (one write, then reads). */
  cache?: CacheComparison;
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

export interface EstimateDeps {
  cwd: string;
  /** Exact counts (CountTokens); the local estimate is used without one. */
  counter?: CountTask;
  onWarning?: (message: string) => void;
  /** Stops the estimate (a signal): nothing more is counted. */
  signal?: AbortSignal;
  /** Whether the answer ledger already answers a row: such rows cost nothing and are left out. */
  answered?: (row: PlannedRow) => boolean;
  /** How the input is named in the estimate and messages (an S3 input's URI, not its local copy). */
  label?: string;
  /** `s3://` attachments' ETags, so `answered` sees the keys a run would ask under. */
  s3Etags?: EtagLookup;
}

export async function estimateJob(
  spec: JobSpec,
  prices: PriceTable,
  options: EstimateOptions,
  deps: EstimateDeps,
): Promise<Estimate> {
  const label = deps.label ?? displayPath(spec.input, deps.cwd);
  const byModel = new Map<string, ModelEstimate>();
  const cache = spec.cacheSystem === undefined ? undefined : new CacheEstimator(prices);
  let answered = 0;
  const tally = (row: PlannedRow, inputTokens: number) => {
    if (deps.answered?.(row)) {
      answered++;
      return;
    }
    tallyRow(row, inputTokens);
  };
  const tallyRow = ({ request, reserve }: PlannedRow, inputTokens: number) => {
    // A batch record's body names its own output limit: the range is bounded by it.
    const bounded = { ...request, inference: { ...request.inference, maxTokens: reserve.output } };
    cache?.add(bounded, inputTokens);
    let m = byModel.get(request.model);
    if (!m) {
      m = {
        model: request.model,
        rows: 0,
        inputTokens: 0,
        maxOutputTokens: 0,
        minCost: 0n,
        maxCost: 0n,
        batchMinCost: 0n,
        batchMaxCost: 0n,
      };
      byModel.set(request.model, m);
    }
    m.rows++;
    m.inputTokens += inputTokens;
    m.maxOutputTokens += reserve.output;
    const min = bestCaseCost(bounded, prices, inputTokens);
    const max = worstCaseCost(bounded, prices, inputTokens);
    m.minCost = min === null || m.minCost === null ? null : m.minCost + min;
    m.maxCost = max === null || m.maxCost === null ? null : m.maxCost + max;
    const batchMin = bestCaseCost(bounded, prices, inputTokens, 'batch');
    const batchMax = worstCaseCost(bounded, prices, inputTokens, 'batch');
    m.batchMinCost = batchMin === null || m.batchMinCost === null ? null : m.batchMinCost + batchMin;
    m.batchMaxCost = batchMax === null || m.batchMaxCost === null ? null : m.batchMaxCost + batchMax;
  };

  // The plan checks every row (and, without a counter, counts it). The counter is asked in a second
  // pass, and only once every row is known to be good.
  const input = await spoolIfOnceOnly(spec.input, label, deps.signal);
  let plan: RowPlan;
  try {
    plan = await planRows(spec, {
      path: input.path,
      label,
      check: rowChecks(spec, prices, deps.onWarning, { exactCounts: deps.counter !== undefined }),
      ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.s3Etags ? { s3Etags: deps.s3Etags } : {}),
      ...(deps.counter ? {} : { onRow: (row: PlannedRow) => tally(row, row.reserve.input) }),
    });
    if (deps.counter) await countAll(plan, spec.concurrency, deps.counter, tally, deps.signal);
  } finally {
    input.dispose();
  }
  const rows = plan.rowCount - answered;

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
    ...(plan.slice ? { slice: plan.slice } : {}),
    counted: deps.counter ? 'api' : 'local',
    inputTokens,
    maxOutputTokens,
    byModel: models,
    minCost: priced.reduce((sum, m) => sum + (m.minCost ?? 0n), 0n),
    maxCost: priced.reduce((sum, m) => sum + (m.maxCost ?? 0n), 0n),
    unpricedRows: models.filter((m) => m.minCost === null).reduce((n, m) => n + m.rows, 0),
    ...(deps.answered ? { answered } : {}),
    // With --mode batch or auto: what the same rows cost as Bedrock Batch Inference jobs.
    ...(spec.batch.mode === 'ondemand' ? {} : { batch: batchRange(priced) }),
    pricesAsOf: prices.asOf,
    ...(cache ? { cache: cache.result() } : {}),
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

/** Counts every row through the pool, a few at a time; the first failure stops the estimate. */
async function countAll(
  plan: RowPlan,
  concurrency: number,
  counter: CountTask,
  tally: (row: PlannedRow, inputTokens: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const pool = new Pool(
    { concurrency, retry: { maxAttempts: 5, baseMs: 250, capMs: 20_000 }, softStop: stop.signal },
    0,
  );
  const running = new Set<Promise<void>>();
  // Rows the exact count puts over their model's context window: all named, after every count.
  const tooLong: Array<{ line: number; problem: string }> = [];
  let failure: RunBatchError | undefined;
  try {
    for await (const row of plan.rows()) {
      if (failure || stop.signal.aborted) break;
      while (running.size >= concurrency * 2) await Promise.race(running);
      const task = pool.run(counter(row.request)).then((outcome) => {
        if (outcome.kind === 'ok') {
          const problem = contextProblem(row.request, outcome.value);
          if (problem === undefined) return tally(row, outcome.value);
          tooLong.push({ line: row.request.line, problem });
          return;
        }
        // CountTokens may refuse a row over the window instead of counting it: named the same way.
        const refused = outcome.kind === 'failed' ? tooLongProblem(row.request, outcome.failure) : undefined;
        if (refused !== undefined) return void tooLong.push({ line: row.request.line, problem: refused });
        stop.abort();
        failure ??= countFailed(
          row.request,
          plan.label,
          outcome.kind === 'failed' ? outcome.failure : undefined,
          signal,
        );
      });
      running.add(task);
      void task.finally(() => running.delete(task));
    }
    await Promise.all(running);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }
  if (failure) throw failure;
  if (tooLong.length > 0) {
    const lines = tooLong.sort((a, b) => a.line - b.line);
    throw badRows(
      lines.map((row) => `${plan.label}:${row.line}: ${row.problem}`),
      plan.label,
    );
  }
  if (signal?.aborted)
    throw new RunBatchError('STOPPED', `${String(signal.reason ?? 'interrupted')}: the estimate stopped`);
}

function countFailed(
  request: PromptRequest,
  label: string,
  failure: { code: string; message: string } | undefined,
  signal?: AbortSignal,
): RunBatchError {
  if (!failure || signal?.aborted)
    return new RunBatchError('STOPPED', `${String(signal?.reason ?? 'interrupted')}: the estimate stopped`);
  return new RunBatchError(
    'USAGE',
    `--count-tokens api: CountTokens failed for row "${request.id}" (${label}:${request.line}, model ${request.model}): ` +
      `${failure.code}: ${failure.message}; use --count-tokens local for the local estimate`,
  );
}

function batchRange(priced: ModelEstimate[]): { minCost: Pico; maxCost: Pico } | null {
  if (priced.some((m) => m.batchMinCost === null || m.batchMaxCost === null)) return null;
  return {
    minCost: priced.reduce((sum, m) => sum + (m.batchMinCost ?? 0n), 0n),
    maxCost: priced.reduce((sum, m) => sum + (m.batchMaxCost ?? 0n), 0n),
  };
}
