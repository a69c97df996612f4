/**
 * How a run stops early. A soft stop (fail-fast, --max-errors, the budget, a first SIGINT/SIGTERM)
 * stops admitting rows and lets calls in flight finish; if they take longer than the grace period,
 * or a hard stop comes (a second SIGINT), calls in flight are aborted and not recorded (their rows
 * run again next time). The first reason given is the one reported.
 */
import { setMaxListeners } from 'node:events';

export class Stopper {
  private readonly softController = new AbortController();
  private readonly hardController = new AbortController();
  private grace: NodeJS.Timeout | undefined;
  reason: string | undefined;

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
    return this.reason !== undefined;
  }

  stop(reason: string): void {
    this.reason ??= reason;
    if (this.softController.signal.aborted) return;
    this.softController.abort(reason);
    this.grace = setTimeout(
      () => this.abortNow(`${reason}; calls still in flight after the grace period were cut off`),
      this.graceMs,
    );
    this.grace.unref();
  }

  abortNow(reason: string): void {
    this.reason ??= reason;
    if (!this.softController.signal.aborted) this.softController.abort(reason);
    this.hardController.abort(reason);
    this.dispose();
  }

  dispose(): void {
    clearTimeout(this.grace);
  }
}
