/**
 * The rows an engine is given, after the answer ledger had its say: a row whose request the ledger
 * already answered is written from it at once (no call); a row asking what another row of this run
 * is already asking waits for that answer instead of paying for it again (in-run deduplication);
 * every other row goes to the engine. Rows kept from the results file go to `onKept` as before.
 *
 * The waiting rows are settled when their leader finishes (the sink calls `settled`): written from
 * its answer, or, when it failed, given to the engine after the input's end (one of them leads
 * again). Only an engine that runs its rows while reading more (on-demand) may wait like this: the
 * batch engine reads every row before anything finishes, so `dedup` is off there.
 *
 * A row under a guardrail's DRAFT is never written from the ledger: the draft can be edited at any
 * time, so an answer it let through (or blocked) yesterday says nothing about today's. Within one
 * run it is still asked once (identical rows wait for their leader, as above): the run is one
 * moment as far as the user can tell. Resuming the same results file keeps its ok rows as for any
 * run (that is finishing the run, not reusing another's answer).
 */
import type { Stopper } from '../engines/stopper.js';
import type { LedgerEntry } from '../ledger/store.js';
import { InputChanged, type PlannedRow, type RowPlan } from '../plan/plan.js';
import type { RunLedger } from './run-ledger.js';
import type { Sink } from './sink.js';

export class ReuseRows {
  /** Keys asked by a row in flight -> the rows waiting for that answer. */
  private readonly waiting = new Map<string, PlannedRow[]>();
  /** Waiting rows whose leader failed: they go to the engine. */
  private readonly again: PlannedRow[] = [];
  private wake: (() => void) | undefined;
  private sink: Sink | undefined;
  /**
   * Keys of the rows read ahead that the ledger did not hold when asked (one query for a chunk of
   * rows, not one per row). A key an answer settles in the meantime leaves it, so such a row is
   * asked of the ledger again.
   */
  private absent = new Set<string>();

  constructor(
    private readonly ledger: RunLedger,
    private readonly dedup: boolean,
  ) {}

  /** The sink is made after the rows (it reports here); set before the engine runs. */
  attach(sink: Sink): void {
    this.sink = sink;
  }

  /** Told by the sink when a row finished: its ok answer's entry, or undefined. */
  settled(row: PlannedRow, entry: LedgerEntry | undefined): void {
    const key = this.ledger.keyOf(row);
    this.absent.delete(key);
    if (!this.dedup) return;
    const waiters = this.waiting.get(key);
    if (waiters === undefined) return;
    this.waiting.delete(key);
    if (entry) for (const waiter of waiters) this.sink?.reuse(waiter, entry);
    else this.again.push(...waiters);
    this.wake?.();
  }

  async *rows(
    plan: RowPlan,
    alreadyOk: Uint8Array | undefined,
    stopper: Stopper,
    onKept: (row: PlannedRow) => void,
  ): AsyncIterable<PlannedRow> {
    try {
      for await (const chunk of readAhead(plan.rows(), READ_AHEAD)) {
        const asked = chunk.filter((row) => alreadyOk?.[row.request.index] !== 1 && fromLedger(row));
        this.absent = this.ledger.absentOf(asked);
        for (const row of chunk) {
          if (alreadyOk?.[row.request.index] === 1) onKept(row);
          else if (this.take(row)) yield row;
        }
      }
    } catch (error) {
      if (!(error instanceof InputChanged)) throw error;
      stopper.stop('soft', 'input-changed', error.message);
      return;
    }
    // The input is read; rows still waiting are settled as their leaders finish. A stop wakes
    // this too: the engine is waiting here for its next row, and would otherwise wait for ever.
    const onStop = () => this.wake?.();
    stopper.soft.addEventListener('abort', onStop);
    try {
      while (!stopper.stopped && (this.waiting.size > 0 || this.again.length > 0)) {
        const row = this.again.shift();
        if (row === undefined) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = undefined;
        } else if (this.take(row)) yield row;
      }
    } finally {
      stopper.soft.removeEventListener('abort', onStop);
    }
  }

  /** True when the row is to be sent: not answered by the ledger, not asked already in this run. */
  private take(row: PlannedRow): boolean {
    const known = fromLedger(row) && !this.absent.has(this.ledger.keyOf(row));
    const entry = known ? this.ledger.lookup(row) : undefined;
    if (entry) {
      this.sink?.reuse(row, entry);
      return false;
    }
    if (!this.dedup) return true;
    const key = this.ledger.keyOf(row);
    const waiters = this.waiting.get(key);
    if (waiters) {
      waiters.push(row);
      return false;
    }
    this.waiting.set(key, []);
    return true;
  }
}

/** Whether the ledger may answer this row: not under a guardrail's DRAFT, which can change. */
export function fromLedger(row: PlannedRow): boolean {
  return row.request.guardrail?.version !== 'DRAFT';
}

/** Rows asked of the ledger at once. */
const READ_AHEAD = 256;

/** The rows in chunks of up to `size`, in order. */
async function* readAhead<T>(rows: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let chunk: T[] = [];
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
