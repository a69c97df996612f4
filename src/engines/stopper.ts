/**
 * How a run stops early, in one vocabulary from the signal to the summary. A soft stop stops
 * admitting rows and lets calls in flight finish; if they take longer than the grace period, or a
 * hard stop comes (a second SIGINT, a results file that cannot be written), calls in flight are
 * aborted and not recorded (their rows run again next time). Every stop names its reason from a
 * fixed list, so the summary file and the JSON log can be read by a program; the detail is the
 * human text. The first stop is the one reported; the kind says whether it ended hard.
 */
import { setMaxListeners } from 'node:events';

/**
 * Why a run stopped:
 * - `signal`: the caller's stop (SIGINT, SIGTERM, SIGHUP, SIGQUIT in the CLI; RunDeps' softStop/hardStop);
 * - `budget`: --max-cost would be passed by the next row (or a model has no price);
 * - `fail-fast`: the first rows all failed with the same error;
 * - `failing-endpoint`: a long streak of rows failed with an error of the endpoint or account;
 * - `failures`: --max-errors rows failed;
 * - `disk-full`: the disk filled; the rows in flight were written into the reserve;
 * - `write-failed`: a finished row could not be written at all (hard: nothing more can be kept);
 * - `input-changed`: the input file changed while the run was reading it;
 * - `ledger-failed`: a paid answer could not be committed to the answer ledger (the row is still
 *   written to the results file; nothing new starts, so nothing more is paid without a ledger);
 * - `batch-pending`: batch jobs still hold rows (--no-wait, --cancel, a stop while waiting);
 * - `rows-not-run`: rows were left undone with no other reason given;
 * - `error`: the run threw (a setup or internal error; no summary is written from it).
 */
export const STOP_REASONS = [
  'signal',
  'budget',
  'fail-fast',
  'failing-endpoint',
  'failures',
  'disk-full',
  'write-failed',
  'input-changed',
  'ledger-failed',
  'batch-pending',
  'rows-not-run',
  'error',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** soft: no new row starts, calls in flight finish; hard: calls in flight are cut off. */
export type StopKind = 'soft' | 'hard';

/** A stop as the summary and the JSON log carry it. */
export interface Stop {
  reason: StopReason;
  kind: StopKind;
  /** What happened, for people: the summary's `stopped` line. */
  detail: string;
}

export class Stopper {
  private readonly softController = new AbortController();
  private readonly hardController = new AbortController();
  private grace: NodeJS.Timeout | undefined;
  private first: Stop | undefined;

  constructor(private readonly graceMs: number) {
    // Every call in flight and every backoff wait listens to these: as many as the concurrency.
    setMaxListeners(0, this.softController.signal, this.hardController.signal);
  }

  /** Aborted on any stop: no new row starts. */
  get soft(): AbortSignal {
    return this.softController.signal;
  }

  /** Aborted on a hard stop: calls in flight are cut off. */
  get hard(): AbortSignal {
    return this.hardController.signal;
  }

  get stopped(): boolean {
    return this.first !== undefined;
  }

  /** The first stop, its kind updated if it later ended hard (the grace period ran out). */
  get cause(): Stop | undefined {
    return this.first && { ...this.first, kind: this.hard.aborted ? 'hard' : 'soft' };
  }

  /** Stops the run; a soft stop turns hard when the grace period runs out. */
  stop(kind: StopKind, reason: StopReason, detail: string): void {
    this.first ??= { reason, kind, detail };
    if (kind === 'hard') {
      if (!this.soft.aborted) this.softController.abort(detail);
      this.hardController.abort(detail);
      this.dispose();
      return;
    }
    if (this.soft.aborted) return;
    this.softController.abort(detail);
    this.grace = setTimeout(
      () => this.stop('hard', reason, `${detail}; calls still in flight after the grace period were cut off`),
      this.graceMs,
    );
    this.grace.unref();
  }

  dispose(): void {
    clearTimeout(this.grace);
  }
}
