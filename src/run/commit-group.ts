/**
 * Paid answers committed to the answer ledger in groups: every answer that finished in one turn of
 * the event loop goes in one SQLite transaction, and only then are their rows written anywhere
 * else. A commit of one row costs as much as a commit of a hundred (SQLite writes whole pages to
 * its WAL each time), so a commit per row cost a fifth of a fast run's throughput.
 *
 * What this keeps of "in the ledger before anything else happens to it": a row is written to the
 * results file, counted and reported only after its answer is committed. What it changes: the
 * commit waits until the end of the current turn (setImmediate), not the end of `finish`. The
 * answers of that one turn are in memory only, as an answer is while the SDK parses it; a
 * `process.exit` (a second Ctrl-C) still commits them (the 'exit' hook), a kill -9 in that
 * moment does not. A group never holds more than MAX_GROUP answers.
 */
import type { Ledger, LedgerEntry } from '../ledger/store.js';

const MAX_GROUP = 1000;

export class CommitGroup {
  private entries: LedgerEntry[] = [];
  private writes: Array<() => void> = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly onExit = () => this.flush();

  constructor(
    private readonly ledger: Ledger,
    /** The ledger refused the group: the rows are still written; the caller stops the run. */
    private readonly onFailed: (error: Error) => void,
  ) {}

  /** True while rows wait for a commit: a row with nothing to commit queues behind them. */
  get pending(): boolean {
    return this.writes.length > 0;
  }

  /** Queues a row's write behind the commit of its entry (none: a row that paid nothing). */
  add(entry: LedgerEntry | undefined, then: () => void): void {
    if (entry) this.entries.push(entry);
    this.writes.push(then);
    if (this.entries.length >= MAX_GROUP) {
      this.flush();
      return;
    }
    if (this.scheduled === undefined) {
      this.scheduled = setImmediate(() => this.flush());
      process.on('exit', this.onExit);
    }
  }

  /** Commits what is queued, then runs the queued writes in the order they came. */
  flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
      process.off('exit', this.onExit);
    }
    const [entries, writes] = [this.entries, this.writes];
    this.entries = [];
    this.writes = [];
    if (entries.length > 0) {
      try {
        this.ledger.recordAll(entries);
      } catch (error) {
        this.onFailed(error as Error);
      }
    }
    for (const write of writes) write();
  }
}
