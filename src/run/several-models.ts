/**
 * Several models at once (`-m a,b,c`): the same rows to each model, each model's run its own
 * `runBatch` (its lock, plan, results file, ledger reuse, resume, batch jobs, failure guard and
 * summary file), all running together. What they share is what the user gave once:
 *
 * - `-c`: the calls in flight across the models, a freed slot going to the models in turn
 *   (pool/fair-slots.ts), so each model gets its share however long its queue;
 * - `--max-cost`: one budget for the whole run;
 * - the stop signals.
 *
 * What stays per model is what Bedrock keeps per model: `--rpm`, `--tpm` and the adaptive rate (each
 * model's pool has its own), and what a model's failures mean: fail-fast and `--max-errors` stop
 * only that model. The exit code is the worst of the models' (errors.ts EXIT_ORDER_WORST_FIRST).
 */
import { loadPriceTable } from '../cost/load.js';
import { picoFromUsd, usdNumber } from '../cost/money.js';
import { Budget } from '../engines/budget.js';
import { displayPath, ExitCode, RunBatchError, worstExit } from '../errors.js';
import type { JobSpec } from '../job/spec.js';
import { FairSlots } from '../pool/fair-slots.js';
import type { RunDeps } from './deps.js';
import { runBatch } from './run-batch.js';
import type { Progress, RunSummary } from './summary.js';

/** One model's part of the run: its summary, or the setup error that kept it from running. */
export interface ModelRun {
  model: string;
  output: string;
  exitCode: number;
  summary?: RunSummary;
  /** Why this model did not run (a setup error: exit 2, 4, ...), when it did not. */
  error?: string;
}

export interface ModelsSummary {
  /** In the order -m named them. */
  models: ModelRun[];
  /** The worst of the models' exit codes. */
  exitCode: number;
  /** The `-c` the models shared, and the most calls that were in flight at once across them. */
  concurrency: number;
  peakInFlight: number;
  wallMs: number;
  /** Sums over the models that ran (`ok` counts kept and reused rows too, as in RunSummary). */
  rows: { total: number; ok: number; error: number; skipped: number; reused: number; notRun: number };
  attempts: number;
  throttles: number;
  /** Null when no model's rows could be priced. */
  costUsd: number | null;
}

export interface ModelsDeps extends Omit<RunDeps, 'onProgress' | 'shared'> {
  /** After every finished row of any model: that model's progress. */
  onProgress?: (model: string, progress: Progress) => void;
}

/** Runs each spec (one model each, its own output: job/models.ts resolveModels) together. */
export async function runModels(specs: readonly JobSpec[], deps: ModelsDeps = {}): Promise<ModelsSummary> {
  const first = specs[0];
  if (!first) throw new RunBatchError('USAGE', 'no model to run');
  const started = Date.now();
  const cwd = deps.cwd ?? process.cwd();
  const slots = new FairSlots(first.concurrency);
  const budget =
    first.maxCost === undefined
      ? undefined
      : new Budget(
          first.maxCost,
          loadPriceTable(first.pricing, first.pricing && displayPath(first.pricing, cwd)),
        );
  const models = specs.map((spec) => spec.model);
  const settled = await Promise.allSettled(
    specs.map((spec) => {
      const tell = (say: ((message: string) => void) | undefined) =>
        say && ((message: string) => say(`${spec.model}: ${message}`));
      const { onProgress, onWarning, onMoved, onInfo, ...rest } = deps;
      const own: RunDeps = {
        ...rest,
        shared: { slots: slots.member(), models, ...(budget ? { budget } : {}) },
        ...(onProgress ? { onProgress: (p: Progress) => onProgress(spec.model, p) } : {}),
        ...(onWarning ? { onWarning: tell(onWarning) } : {}),
        ...(onMoved ? { onMoved: tell(onMoved) } : {}),
        ...(onInfo ? { onInfo: tell(onInfo) } : {}),
      } as RunDeps;
      return runBatch(spec, own);
    }),
  );
  const bug = settled.find(
    (s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof RunBatchError),
  );
  if (bug) throw bug.reason;
  sameErrorForAll(settled);
  const runs = settled.map((s, i): ModelRun => {
    const spec = specs[i] as JobSpec;
    const base = { model: spec.model, output: spec.output };
    if (s.status === 'fulfilled') return { ...base, exitCode: s.value.exitCode, summary: s.value };
    const error = s.reason as RunBatchError;
    return { ...base, exitCode: error.exitCode, error: error.message };
  });
  return totals(runs, first.concurrency, slots.peak, Date.now() - started);
}

/** The same setup error for every model (a bad input row, a `model` column): one error, said once. */
function sameErrorForAll(settled: readonly PromiseSettledResult<RunSummary>[]): void {
  const messages = new Set(
    settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : undefined)),
  );
  const [only] = settled;
  if (messages.size === 1 && only?.status === 'rejected') throw only.reason;
}

function totals(runs: ModelRun[], concurrency: number, peakInFlight: number, wallMs: number): ModelsSummary {
  const rows = { total: 0, ok: 0, error: 0, skipped: 0, reused: 0, notRun: 0 };
  let attempts = 0;
  let throttles = 0;
  let cost: bigint | null = null;
  let exitCode: number = ExitCode.Ok;
  for (const run of runs) {
    exitCode = worstExit(exitCode, run.exitCode);
    const s = run.summary;
    if (!s) continue;
    rows.total += s.rows.total;
    rows.ok += s.rows.ok;
    rows.error += s.rows.error;
    rows.skipped += s.rows.skipped;
    rows.reused += s.rows.reused ?? 0;
    rows.notRun += s.rows.notRun;
    attempts += s.attempts;
    throttles += s.throttles;
    if (s.costUsd !== null) cost = (cost ?? 0n) + picoFromUsd(s.costUsd);
  }
  const costUsd = cost === null ? null : usdNumber(cost);
  return { models: runs, exitCode, concurrency, peakInFlight, wallMs, rows, attempts, throttles, costUsd };
}
