/**
 * Bedrock Batch Inference behind the engine interface. It gathers the planned rows (the rows
 * already done too: a job may owe them, and their answers must not be handed on twice), runs them
 * through runBatchJobs (jobs.ts), and hands every collected record to the sink, priced at batch
 * prices. Records a job answered with an error are run again on-demand (`--batch-retry ondemand`)
 * through the pool, or written as error rows (`none`); rows no job could take (too few for their
 * model, too big) run on-demand, said as such. Rows of a job that never ran (refused at create,
 * Failed, Stopped before it reached them) are never paid for on-demand: they are not run, the run
 * stops with Bedrock's words (exit 3), and the next run submits them again.
 */

import type { PlannedRow } from '../../plan/plan.js';
import type { Budget } from '../budget.js';
import type { Engine, EngineStats, EngineWork, RowOutcome } from '../engine.js';
import { judgeBatchAnswer } from './answer.js';
import type { BatchClients } from './clients.js';
import { NEVER_TRIED } from './collect.js';
import { type FinishedRow, type JobProgress, runBatchJobs } from './jobs.js';
import { BatchCode, type BatchOutcome, jobEndCode } from './outcome.js';
import type { BatchRow } from './records.js';
import type { BatchRetry, BatchSettings } from './settings.js';

export interface BatchEngineOptions {
  settings: BatchSettings;
  clients: BatchClients;
  retry: BatchRetry;
  /** The on-demand engine for records the batch did not answer; made only when needed. */
  onDemand: () => Promise<Engine>;
  inputLabel: string;
  onJobs?: (jobs: JobProgress[]) => void;
  onWarning?: (message: string) => void;
}

export class BatchEngine implements Engine {
  private readonly kept: BatchRow[] = [];
  private retryEngine: Engine | undefined;
  private submitted = 0;
  private batch = { jobs: 0, records: 0, bedrockMs: 0, waiting: 0 };

  constructor(private readonly options: BatchEngineOptions) {}

  get stats(): EngineStats {
    const retried = this.retryEngine?.stats ?? { attempts: 0, throttles: 0 };
    return {
      attempts: this.submitted + retried.attempts,
      throttles: retried.throttles,
      batch: { ...this.batch, onDemandCalls: retried.attempts },
    };
  }

  /** A row already ok in the results file: not sent, but part of the job's identity. */
  keep(row: PlannedRow): void {
    this.kept.push({ index: row.request.index, id: row.request.id, request: row.request, done: true });
  }

  async run({ rows, sink, stopper, budget }: EngineWork): Promise<void> {
    const planned = new Map<number, PlannedRow>();
    const fresh: BatchRow[] = [];
    // `keep` is called while `rows` is iterated: the kept rows are complete only after the loop.
    for await (const row of rows) {
      const admitted = admit(budget, row);
      if (!admitted.ok) stopper.stop('soft', 'budget', admitted.reason);
      planned.set(row.request.index, row);
      // A row the budget cannot take stays out of the jobs, as if done: it runs on a later run.
      fresh.push({
        index: row.request.index,
        id: row.request.id,
        request: row.request,
        done: !admitted.ok,
      });
    }
    const batchRows = [...this.kept, ...fresh].sort((a, b) => a.index - b.index);
    const retry: PlannedRow[] = [];
    const unbatched: PlannedRow[] = [];
    const notRun = new Map<string, number>();
    const onFinished = (finished: FinishedRow[]) => {
      for (const { row, outcome } of finished) {
        const plannedRow = planned.get(row.index);
        if (!plannedRow) continue;
        if (outcome.kind === 'failed' && neverRan(outcome)) {
          notRun.set(outcome.message, (notRun.get(outcome.message) ?? 0) + 1);
          continue;
        }
        if (outcome.kind === 'failed' && NOT_BATCHED.has(outcome.code)) {
          unbatched.push(plannedRow);
          continue;
        }
        const judged = outcome.kind === 'ok' ? judgeBatchAnswer(plannedRow, outcome.value) : undefined;
        if (outcome.kind === 'ok' && judged?.kind === 'bad') {
          this.submitted++;
          const charge = sink.finish(plannedRow, {
            kind: 'failed',
            failure: judged.failure,
            mode: 'batch',
            attempts: 1,
            latencyMs: 0,
            finishedAt: outcome.finishedAt,
          });
          budget?.settle(0n, charge);
        } else if (outcome.kind === 'ok') {
          this.submitted++;
          const done: RowOutcome = {
            kind: 'ok',
            value: judged?.kind === 'ok' ? judged.value : outcome.value,
            attempts: 1,
            latencyMs: 0,
            finishedAt: outcome.finishedAt,
            mode: 'batch',
          };
          const charge = sink.finish(plannedRow, done); // never inside budget?.(): it would not run without a budget
          budget?.settle(0n, charge);
        } else if (this.options.retry === 'ondemand') {
          retry.push(plannedRow);
        } else {
          const failure = { code: outcome.code, message: outcome.message, retryable: false, throttle: false };
          sink.finish(plannedRow, {
            kind: 'failed',
            failure,
            attempts: 1,
            latencyMs: 0,
            finishedAt: outcome.finishedAt,
          });
        }
      }
      // On disk (ledger, then results file) before the job is marked collected.
      sink.flush?.();
    };
    const result = await runBatchJobs(batchRows, this.options.settings, {
      bedrock: this.options.clients.bedrock,
      s3: this.options.clients.s3,
      onFinished,
      inputLabel: this.options.inputLabel,
      signal: stopper.soft,
      ...(this.options.onJobs ? { onProgress: this.options.onJobs } : {}),
      ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
    });
    this.batch.jobs += result.collected.jobs;
    this.batch.records += result.collected.records;
    this.batch.bedrockMs += result.collected.bedrockMs;
    if (result.stopReason === 'no-wait') this.batch.waiting = result.pending;
    for (const [why, count] of notRun) {
      const rows = `${count} ${count === 1 ? 'row was' : 'rows were'} not run`;
      this.options.onWarning?.(
        `${why}; ${rows} (no on-demand call was made for them: run again to submit them)`,
      );
      stopper.stop('soft', 'rows-not-run', `${why}; ${rows}`);
    }
    if (result.pending > 0 || (result.stopReason !== undefined && notRun.size === 0))
      stopper.stop('soft', 'batch-pending', stopMessage(result.stopReason, result.pending));
    const work = { sink, stopper, ...(budget ? { budget } : {}) };
    if (unbatched.length > 0 && !stopper.hard.aborted) {
      this.options.onWarning?.(
        `${unbatched.length} ${unbatched.length === 1 ? 'row' : 'rows'} could not go in a batch job (too few for their model's minimum, --batch-min-records, or too big for a file): ${unbatched.length === 1 ? 'it runs' : 'they run'} on-demand`,
      );
      await this.runOnDemand(unbatched, { ...work, rows: fromArray(unbatched) }, 0);
    }
    if (retry.length > 0 && !stopper.hard.aborted) {
      this.options.onWarning?.(
        `${retry.length} ${retry.length === 1 ? 'record' : 'records'} a batch job answered with an error run again on-demand (--batch-retry ondemand)`,
      );
      await this.runOnDemand(retry, { ...work, rows: fromArray(retry) }, 1);
    }
  }

  /** Rows through the pool; a retried record's attempts count its batch attempt too. */
  private async runOnDemand(rows: PlannedRow[], work: EngineWork, before: number): Promise<void> {
    if (rows.length === 0) return;
    this.retryEngine ??= await this.options.onDemand();
    const sink = work.sink;
    await this.retryEngine.run({
      ...work,
      sink: {
        finish: (row, outcome) => sink.finish(row, { ...outcome, attempts: outcome.attempts + before }),
        flush: () => sink.flush?.(),
      },
    });
  }

  async close(): Promise<void> {
    await this.retryEngine?.close();
    this.options.clients.destroy();
  }
}

/** Rows no job took: they were never in a batch, so they are not "records the batch did not answer". */
const NOT_BATCHED = new Set<string>([BatchCode.BelowMinimum, BatchCode.TooLarge]);

/** A row whose job never tried it: refused at create, Failed, or Stopped before reaching it. */
function neverRan(outcome: Extract<BatchOutcome, { kind: 'failed' }>): boolean {
  if (outcome.code === BatchCode.NotCreated) return true;
  for (const status of NEVER_TRIED) if (outcome.code === jobEndCode(status)) return true;
  return false;
}

function admit(budget: Budget | undefined, row: PlannedRow): { ok: true } | { ok: false; reason: string } {
  if (!budget) return { ok: true };
  const admission = budget.admit(row);
  return admission.ok ? { ok: true } : admission;
}

function stopMessage(reason: string | undefined, pending: number): string {
  const rows = `${pending} ${pending === 1 ? 'row is' : 'rows are'} with batch jobs still running`;
  if (reason === 'no-wait') return `--no-wait: ${rows}; run the same command again to collect them`;
  if (reason === 'signal')
    return `interrupted while waiting: ${rows} (they keep running on Bedrock); run again to collect them`;
  if (reason === 'nothing-to-cancel')
    return '--cancel: no batch job of this output was running, and none was submitted; run again without --cancel to run the rows';
  if (reason === 'cancelled')
    return pending > 0
      ? `--cancel: the jobs of this output were asked to stop; ${rows}; run again to collect what they answered`
      : '--cancel: the jobs of this output were stopped and what they answered collected; run again (without --cancel) to run the rest';
  return `${reason ?? 'stopped'}: ${rows}; run again to collect them`;
}

async function* fromArray(rows: PlannedRow[]): AsyncIterable<PlannedRow> {
  yield* rows;
}
