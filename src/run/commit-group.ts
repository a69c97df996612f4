/**
 * Paid answers committed to the answer ledger in groups, and only then are their rows written
 * anywhere else. A commit of one answer costs nearly as much as a commit of twenty (SQLite writes
 * whole pages to its WAL each time): at zero latency, a commit per turn of the event loop (one or
 * two answers when the machine is quiet) cost a tenth of the run's throughput.
 *
 * When a group is committed: at the end of a turn of the event loop once it holds TURN_GROUP
 * answers; else WINDOW_MS after its first answer; at once when it holds `limit` answers (the
 * run's --concurrency on-demand); and on `flush` (the end of the run, a stop) or `process.exit`.
 *
 * What this keeps of "in the ledger before anything else happens to it": a row is written to the
 * results file, counted and reported only after its answer is committed. What it costs: a kill -9
 * loses the answers of the group being gathered, as it loses the calls in flight; `limit` keeps
 * those to at most --concurrency answers, so a kill can cost at most twice --concurrency calls
 * (those in flight, and those answered in the last WINDOW_MS).
 */
import type { Ledger, LedgerEntry } from '../ledger/store.js';

/** A group this large is committed at the end of the turn that filled it. */
const TURN_GROUP = 16;
/** The longest a paid answer waits for its group's commit. */
const WINDOW_MS = 10;
/** The most a group ever holds (batch mode hands on a job's records in one turn). */
export const MAX_GROUP = 1000;

export class CommitGroup {
  private entries: LedgerEntry[] = [];
  private writes: Array<() => void> = [];
  private turnEnd: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onExit = () => this.flush();
  private readonly limit: number;

  constructor(
    private readonly ledger: Ledger,
    /** The ledger refused the group: the rows are still written; the caller stops the run. */
    private readonly onFailed: (error: Error) => void,
    /** Answers a group holds at most before it is committed at once. */
    limit = MAX_GROUP,
  ) {
    this.limit = Math.max(1, Math.min(limit, MAX_GROUP));
  }

  /** True while rows wait for a commit: a row with nothing to commit queues behind them. */
  get pending(): boolean {
    return this.writes.length > 0;
  }

  /** Queues a row's write behind the commit of its entry (none: a row that paid nothing). */
  add(entry: LedgerEntry | undefined, then: () => void): void {
    if (entry) this.entries.push(entry);
    this.writes.push(then);
    if (this.entries.length >= this.limit) {
      this.flush();
      return;
    }
    if (this.writes.length === 1) {
      process.on('exit', this.onExit);
      this.timer = setTimeout(() => this.flush(), WINDOW_MS);
    }
    this.turnEnd ??= setImmediate(() => {
      this.turnEnd = undefined;
      if (this.entries.length >= TURN_GROUP) this.flush();
    });
  }

  /** Commits what is queued, then runs the queued writes in the order they came. */
  flush(): void {
    if (this.turnEnd !== undefined) clearImmediate(this.turnEnd);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.turnEnd = undefined;
    this.timer = undefined;
    process.off('exit', this.onExit);
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
