/**
 * What an engine is: it takes planned rows, makes their calls its own way (the on-demand pool, or
 * Bedrock Batch Inference jobs), and hands each finished row to the sink with its outcome. It
 * stops admitting rows on the stopper's soft signal and cuts calls off on its hard one. Failed rows
 * are outcomes, never exceptions.
 */
import type { CallFailure } from '../bedrock/errors.js';
import type { PlannedRow } from '../plan/plan.js';
import type { CallResult } from '../types.js';
import type { Budget, Charge } from './budget.js';
import type { Stopper } from './stopper.js';

export interface Finished {
  attempts: number;
  /** Duration of the last attempt, the one whose outcome is recorded. */
  latencyMs: number;
  finishedAt: Date;
}

export type RowOutcome =
  /** `mode: 'batch'`: answered by Bedrock Batch Inference (a bad answer too), priced at batch prices. */
  | ({ kind: 'ok'; value: CallResult; mode?: 'batch' } & Finished)
  | ({ kind: 'failed'; failure: CallFailure; mode?: 'batch' } & Finished);

/** Where finished rows go: it prices, writes and counts them, and never throws. */
export interface RowSink {
  /**
   * Returns what the row cost, for the budget. The row may be written a moment later: a paid
   * answer is committed to the answer ledger first, with the others that finished in the same turn
   * of the event loop (src/run/sink.ts), and only then written.
   */
  finish(row: PlannedRow, outcome: RowOutcome): Charge;
  /** Commits and writes every row finished so far, now (before a step that assumes they are on disk). */
  flush?(): void;
}

export interface EngineWork {
  /** The rows to send, in input order (rows already done are not among them). */
  rows: AsyncIterable<PlannedRow>;
  sink: RowSink;
  stopper: Stopper;
  budget?: Budget;
}

export interface EngineStats {
  /** Calls made, retries included. */
  attempts: number;
  throttles: number;
  /** Batch mode: jobs collected, their records, the time Bedrock took, rows left with running jobs. */
  batch?: BatchStats;
}

export interface BatchStats {
  jobs: number;
  records: number;
  bedrockMs: number;
  /** Rows owed by jobs left running on purpose (--no-wait): exit 5, not 3. */
  waiting: number;
  onDemandCalls: number;
}

export interface Engine {
  run(work: EngineWork): Promise<void>;
  /** A row already done (ok in the results file): not sent; an engine may need to know it. */
  keep?(row: PlannedRow): void;
  readonly stats: EngineStats;
  close(): Promise<void>;
}
