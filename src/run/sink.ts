/**
 * The result sink: where every engine hands a finished row. In this order: build its record,
 * check its usage, price it, redact it, commit a paid answer to the answer ledger (before it goes
 * anywhere else: a kill -9 after this never loses it), serialize it, write it to the journal, then
 * count it, let the failure guard judge it, tell the run's in-run deduplication, and report
 * progress. Paid answers are committed in groups (commit-group.ts): a row's writing waits for its
 * group's commit, so `flush` before anything that assumes the rows are written. `reuse` writes a
 * row from a ledger entry the same way, with no call.
 *
 * Its promise: a row is never paid twice because of something that happened after it was paid.
 * Nothing between the answer and the disk may throw: a price that cannot be computed becomes an
 * empty cost with a warning, a row that cannot be serialized is written without its input copy,
 * and only a journal that cannot be written at all (the disk is full and its reserve spent) stops
 * the run, with the record put in the log instead.
 */
import type { Pricer } from '../cost/cost.js';
import type { Charge } from '../engines/budget.js';
import type { RowOutcome, RowSink } from '../engines/engine.js';
import type { Stopper } from '../engines/stopper.js';
import type { LedgerEntry } from '../ledger/store.js';
import type { Journal } from '../output/journal.js';
import { type Layout, recordText } from '../output/layout.js';
import type { PlannedRow } from '../plan/plan.js';
import type { ResultRecord } from '../types.js';
import { CommitGroup } from './commit-group.js';
import type { FailureGuard } from './guard.js';
import { errorRecord, okRecord } from './records.js';
import type { RunLedger } from './run-ledger.js';
import type { Tally } from './summary.js';

export interface SinkParts {
  layout: Layout;
  journal: Journal;
  pricer: Pricer;
  redact: (text: string) => string;
  tally: Tally;
  guard: FailureGuard;
  stopper: Stopper;
  streaming: boolean;
  /** A row is written and counted (a reused one too). */
  onFinished?: (record: ResultRecord) => void;
  onWarning?: (message: string) => void;
  onUnwritten?: (record: string) => void;
  /** Keys, entries and reuse; absent: no ledger fields, no reuse. */
  ledger?: RunLedger;
  /** Paid answers a commit group holds at most (commit-group.ts): --concurrency on-demand. */
  commitLimit?: number;
  /** A row of a key finished: its ok answer's entry, or undefined when it failed. */
  onSettled?: (row: PlannedRow, entry: LedgerEntry | undefined) => void;
  /** A row's record is in the results file (new or from the ledger): --judge grades it. */
  onWritten?: (row: PlannedRow, record: ResultRecord) => void;
}

export interface Sink extends RowSink {
  flush(): void;
  /** Writes a row from a ledger entry (an answer bought before, or earlier in this run). */
  reuse(row: PlannedRow, entry: LedgerEntry): void;
}

export function resultSink(parts: SinkParts): Sink {
  const { layout, journal, tally, guard, stopper } = parts;
  const warnOnce = onceEach(parts.onWarning);
  const store = parts.ledger?.ledger;
  const group = store ? new CommitGroup(store, ledgerFailed, parts.commitLimit) : undefined;
  return {
    finish(row: PlannedRow, outcome: RowOutcome): Charge {
      const record =
        outcome.kind === 'ok'
          ? okRecord(row, outcome.value, outcome, parts.streaming)
          : errorRecord(row, outcome.failure, outcome, parts.streaming);
      // A failed row can have paid too: bad answers were generated (--json-schema).
      const paid = outcome.kind === 'ok' || outcome.failure.paid !== undefined;
      // Batch Inference is a way of being served, and priced, like a tier: recorded as one.
      if (outcome.mode === 'batch') record.service_tier = 'batch';
      const sound = !paid || usageIsSound(record);
      if (!sound) {
        warnOnce(
          `usage:${record.model}`,
          `a response from "${record.model}" had no usable token counts: its rows get empty tokens and cost_usd`,
        );
        clearUsage(record);
      }
      // Unknown usage has an unknown cost: empty, never a silent 0.
      record.cost_usd = sound
        ? safely(
            () =>
              finiteOrNull(parts.pricer.recordCost(record, outcome.mode === 'batch' ? 'batch' : 'onDemand')),
            null,
            (error) =>
              warnOnce(
                `price:${record.model}`,
                `cannot price "${record.model}": ${error}; its rows get an empty cost_usd`,
              ),
          )
        : null;
      // An error message, or a setting echoed back, could carry a credential: never to the file.
      record.error_message = safely(() => parts.redact(record.error_message), '');
      record.model = safely(() => parts.redact(record.model), record.model);
      const entry = parts.ledger ? entryOf(row, record, paid) : undefined;
      const land = () => write(row, record, entry);
      if (group && ((paid && entry) || group.pending)) group.add(paid ? entry : undefined, land);
      else land();
      return { costUsd: record.cost_usd, paid };
    },
    flush(): void {
      group?.flush();
    },
    reuse(row: PlannedRow, entry: LedgerEntry): void {
      if (!parts.ledger) return;
      const record = parts.ledger.reusedRecord(row, entry);
      try {
        journal.append(row.request.index, serialize(layout, record, row, warnOnce));
      } catch (error) {
        // The answer stays in the ledger: nothing is lost, the row is simply not written yet.
        stopper.stop('hard', 'write-failed', `cannot write the results file: ${(error as Error).message}`);
        return;
      }
      tally.addReused();
      parts.onWritten?.(row, record);
      parts.onFinished?.(record);
    },
  };

  /** After its answer is committed (commit-group.ts): the row to the journal, the tally, the guard. */
  function write(row: PlannedRow, record: ResultRecord, entry: LedgerEntry | undefined): void {
    const text = serialize(layout, record, row, warnOnce);
    try {
      journal.append(row.request.index, text, record.status === 'ok');
    } catch (error) {
      // Nowhere left to write (the disk-full reserve is spent too): stop at once, and put the
      // paid-for answer in the log rather than lose it.
      stopper.stop('hard', 'write-failed', `cannot write the results file: ${(error as Error).message}`);
      const lost = `row ${record.id} could not be written; its record: ${safely(() => JSON.stringify(record), record.id)}`;
      (parts.onUnwritten ?? parts.onWarning)?.(lost);
      return;
    }
    tally.add(record);
    const stop = guard.check(record);
    if (stop !== undefined) stopper.stop('soft', stop.reason, stop.detail);
    parts.onSettled?.(row, record.status === 'ok' ? entry : undefined);
    parts.onWritten?.(row, record);
    parts.onFinished?.(record);
  }

  /** The ledger entry a row leaves; `reused` and `paid_usd` are set on its record. */
  function entryOf(row: PlannedRow, record: ResultRecord, paid: boolean): LedgerEntry | undefined {
    const runLedger = parts.ledger as RunLedger;
    record.reused = false;
    record.paid_usd = paid ? record.cost_usd : 0;
    return safely(() => runLedger.entryFor(row, record), undefined);
  }

  /**
   * A ledger that cannot take the answers (its disk is full, another process held it past the busy
   * timeout) stops the run: the answers still reach the results file.
   */
  function ledgerFailed(error: Error): void {
    const path = parts.ledger?.ledger?.path;
    warnOnce('ledger', `cannot write the answer ledger ${path}: ${error.message}`);
    stopper.stop(
      'soft',
      'ledger-failed',
      `the answer ledger cannot be written (${error.message}); free it and run again`,
    );
  }
}

/** The record's line; if the input row cannot be serialized (nested too deep), it goes without it. */
function serialize(
  layout: Layout,
  record: ResultRecord,
  row: PlannedRow,
  warnOnce: (key: string, message: string) => void,
): string {
  try {
    return recordText(layout, record, row.request.row);
  } catch (error) {
    warnOnce(
      `serialize:${row.request.id}`,
      `row ${row.request.id}: its input cannot be copied into the results (${(error as Error).message}); ` +
        'the answer is written without it',
    );
    return recordText(layout, record, {});
  }
}

const MAX_TOKENS_PER_CALL = 100_000_000;

/** Token counts a response can really have: whole, not negative, not absurd. */
function usageIsSound(record: ResultRecord): boolean {
  return [
    record.input_tokens,
    record.output_tokens,
    record.total_tokens,
    record.cache_read_tokens,
    record.cache_write_tokens,
  ].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_TOKENS_PER_CALL);
}

function finiteOrNull(cost: number | null): number | null {
  if (cost !== null && !Number.isFinite(cost)) throw new Error(`the price gives ${cost}`);
  return cost;
}

function clearUsage(record: ResultRecord): void {
  record.input_tokens = null;
  record.output_tokens = null;
  record.total_tokens = null;
  record.cache_read_tokens = null;
  record.cache_write_tokens = null;
}

function safely<T>(fn: () => T, fallback: T, onError?: (message: string) => void): T {
  try {
    return fn();
  } catch (error) {
    onError?.((error as Error).message);
    return fallback;
  }
}

function onceEach(onWarning?: (message: string) => void): (key: string, message: string) => void {
  const said = new Set<string>();
  return (key, message) => {
    if (said.has(key)) return;
    said.add(key);
    onWarning?.(message);
  };
}
