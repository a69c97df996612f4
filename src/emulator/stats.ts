/**
 * What the emulator saw, for tests and benchmarks: requests, outcomes, and the peak number of
 * requests in flight at once, overall and per model and operation. Served at GET /__emulator/stats.
 */

export interface Counters {
  requests: number;
  ok: number;
  /** Error responses of every kind, throttles and faults included. */
  errors: number;
  throttled: number;
  /** Injected faults: --fail-rate and the fail/error/midstream directives. */
  faults: number;
  inputTokens: number;
  outputTokens: number;
}

export interface StatsSnapshot extends Counters {
  inFlight: number;
  peakInFlight: number;
  byModel: Record<string, Counters>;
  byOperation: Record<string, Counters>;
  byException: Record<string, number>;
}

export type Outcome =
  | { kind: 'ok'; inputTokens: number; outputTokens: number }
  | { kind: 'error'; exception: string; throttle: boolean; fault: boolean };

function zero(): Counters {
  return { requests: 0, ok: 0, errors: 0, throttled: 0, faults: 0, inputTokens: 0, outputTokens: 0 };
}

export class Stats {
  private total = zero();
  private inFlight = 0;
  private peak = 0;
  private byModel: Record<string, Counters> = {};
  private byOperation: Record<string, Counters> = {};
  private byException: Record<string, number> = {};

  /** Call when a model request arrives; returns the function to call once with its outcome. */
  begin(model: string, operation: string): (outcome: Outcome) => void {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    const groups = [this.total, (this.byModel[model] ??= zero()), (this.byOperation[operation] ??= zero())];
    for (const c of groups) c.requests++;
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      for (const c of groups) {
        if (outcome.kind === 'ok') {
          c.ok++;
          c.inputTokens += outcome.inputTokens;
          c.outputTokens += outcome.outputTokens;
        } else {
          c.errors++;
          if (outcome.throttle) c.throttled++;
          if (outcome.fault) c.faults++;
        }
      }
      if (outcome.kind === 'error')
        this.byException[outcome.exception] = (this.byException[outcome.exception] ?? 0) + 1;
    };
  }

  snapshot(): StatsSnapshot {
    return {
      ...this.total,
      inFlight: this.inFlight,
      peakInFlight: this.peak,
      byModel: structuredClone(this.byModel),
      byOperation: structuredClone(this.byOperation),
      byException: { ...this.byException },
    };
  }

  /** Clears the counters; requests still in flight keep counting toward the new peak. */
  reset(): void {
    this.total = zero();
    this.peak = this.inFlight;
    this.byModel = {};
    this.byOperation = {};
    this.byException = {};
  }
}
