/**
 * Bedrock Batch Inference behind the engine interface. It gathers the planned rows (the rows
 * already done too: they take part in the input hash that ties the submitted jobs to this input),
 * runs them through runBatchJobs, and hands every collected record to the sink, priced at batch
 * prices. Records that failed in the batch, or that no job could take, are run again on-demand
 * (`--batch-retry ondemand`) through the pool, or written as error rows (`none`).
 */

import type { PlannedRow } from '../../plan/plan.js';
import type { Budget } from '../budget.js';
import type { Engine, EngineStats, EngineWork, RowOutcome } from '../engine.js';
import type { BatchClients } from './clients.js';
import { type FinishedRow, type JobProgress, runBatchJobs } from './jobs.js';
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

  constructor(private readonly options: BatchEngineOptions) {}

  get stats(): EngineStats {
    const retried = this.retryEngine?.stats ?? { attempts: 0, throttles: 0 };
    return { attempts: this.submitted + retried.attempts, throttles: retried.throttles };
  }

  /** A row already ok in the results file: not sent, but part of the job's identity. */
  keep(row: PlannedRow): void {
    this.kept.push({ index: row.request.index, id: row.request.id, request: row.request, done: true });
  }

  async run({ rows, sink, stopper, budget }: EngineWork): Promise<void> {
    const planned = new Map<number, PlannedRow>();
    const batchRows: BatchRow[] = [...this.kept];
    for await (const row of rows) {
      const admitted = admit(budget, row);
      if (!admitted.ok) stopper.stop(admitted.reason);
      planned.set(row.request.index, row);
      // A row the budget cannot take stays out of the jobs, as if done: it runs on a later run.
      batchRows.push({
        index: row.request.index,
        id: row.request.id,
        request: row.request,
        done: !admitted.ok,
      });
    }
    batchRows.sort((a, b) => a.index - b.index);
    const retry: PlannedRow[] = [];
    const onFinished = (finished: FinishedRow[]) => {
      for (const { row, outcome } of finished) {
        const plannedRow = planned.get(row.index);
        if (!plannedRow) continue;
        if (outcome.kind === 'ok') {
          this.submitted++;
          const done: RowOutcome = {
            kind: 'ok',
            value: outcome.value,
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
    if (result.pending > 0 || result.stopReason !== undefined)
      stopper.stop(stopMessage(result.stopReason, result.pending));
    if (retry.length > 0 && !stopper.hard.aborted)
      await this.runOnDemand(retry, { rows: fromArray(retry), sink, stopper, ...(budget ? { budget } : {}) });
  }

  /** Failed batch records, through the pool; their attempts count the batch attempt too. */
  private async runOnDemand(rows: PlannedRow[], work: EngineWork): Promise<void> {
    this.options.onWarning?.(
      `${rows.length} ${rows.length === 1 ? 'record' : 'records'} the batch did not answer run again on-demand (--batch-retry ondemand)`,
    );
    this.retryEngine ??= await this.options.onDemand();
    const sink = work.sink;
    await this.retryEngine.run({
      ...work,
      sink: { finish: (row, outcome) => sink.finish(row, { ...outcome, attempts: outcome.attempts + 1 }) },
    });
  }

  async close(): Promise<void> {
    await this.retryEngine?.close();
    this.options.clients.destroy();
  }
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
  if (reason === 'cancelled')
    return '--cancel: the jobs of this output were stopped; run again (without --cancel) to run their rows';
  return `${reason ?? 'stopped'}: ${rows}; run again to collect them`;
}

async function* fromArray(rows: PlannedRow[]): AsyncIterable<PlannedRow> {
  yield* rows;
}
