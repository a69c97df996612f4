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
  | ({ kind: 'ok'; value: CallResult } & Finished)
  | ({ kind: 'failed'; failure: CallFailure } & Finished);

/** Where finished rows go: it prices, writes and counts them, and never throws. */
export interface RowSink {
  /** Returns what the row cost, for the budget. */
  finish(row: PlannedRow, outcome: RowOutcome): Charge;
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
}

export interface Engine {
  run(work: EngineWork): Promise<void>;
  readonly stats: EngineStats;
  close(): Promise<void>;
}
