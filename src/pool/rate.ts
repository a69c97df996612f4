/**
 * Admission by rate, on bottleneck: tokens per minute as a bucket refilled every 250 ms, and
 * requests per minute (and the adaptive controller's rate) as an even spacing between call starts
 * (`minTime`). A per-minute quota also throttles bursts, so calls are spread across the minute
 * instead of spending a minute's budget at once; the token bucket holds at most one second's
 * worth, or one call's worth if that is larger.
 *
 * Tokens are reserved the way Bedrock's quota counts them: estimated input plus max_tokens when a
 * call starts, settled to the real usage when it ends (`settle`).
 *
 * Two limiters, because bottleneck's `updateSettings` stops a limiter's reservoir heartbeat for
 * good: the token bucket is never updated, the spacing limiter is, freely.
 */
import Bottleneck from 'bottleneck';
import type { Admission, Gate } from './gate.js';

export interface RateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute. */
  tpm?: number;
}

/** Bottleneck's heartbeat runs every 250 ms: refilling more often than that is not possible. */
const REFILL_MS = 250;

/** The token bucket's size: one second's worth, or one call's worth if that is larger. */
export function tokenCapacity(tpm: number, largestCall: number): number {
  return Math.max(Math.ceil(tpm / 60), largestCall);
}

export class RateGate implements Gate {
  private readonly tokens: Bottleneck | undefined;
  private pace: Bottleneck | undefined;
  private readonly configuredMinTime: number;
  private readonly tokenCapacity: number;
  private stopped = false;
  private waiting = 0;
  private keepAlive: NodeJS.Timeout | undefined;

  /**
   * @param limits the caps the user gave
   * @param largestCall the largest single reservation expected, so the bucket can always admit it
   */
  constructor(limits: RateLimits, largestCall = 0) {
    this.configuredMinTime = limits.rpm ? 60_000 / limits.rpm : 0;
    this.tokenCapacity = limits.tpm ? tokenCapacity(limits.tpm, largestCall) : 0;
    if (limits.tpm) {
      const refill = Math.max(1, Math.round((limits.tpm * REFILL_MS) / 60_000));
      this.tokens = new Bottleneck({
        // One refill short of full: the refills come in steps, and the first may land just after
        // the start, while Bedrock's bucket refills smoothly. Starting lower by a step means this
        // bucket never holds more than Bedrock's.
        reservoir: Math.max(0, this.tokenCapacity - refill),
        reservoirIncreaseInterval: REFILL_MS,
        reservoirIncreaseAmount: refill,
        reservoirIncreaseMaximum: this.tokenCapacity,
      });
    }
    if (this.configuredMinTime > 0) this.pace = pacer(this.configuredMinTime);
  }

  async acquire(tokens: number, priority = 5): Promise<Admission | undefined> {
    if (this.stopped) return undefined;
    if (!this.tokens && !this.pace) return { settle: () => {} };
    // Bottleneck's timers do not keep the process alive; when every row waits for the bucket to
    // refill, nothing else would, and Node would exit mid-run. Hold a timer while anyone waits.
    if (this.waiting++ === 0) this.keepAlive = setInterval(() => {}, 60_000);
    try {
      // Spacing first, tokens last: a call holding tokens while it waits for its turn would keep
      // them from the calls that could start now.
      if (this.pace) await this.pace.schedule({ priority }, async () => undefined);
      if (this.tokens) {
        const weight = Math.min(Math.max(0, Math.round(tokens)), this.tokenCapacity);
        await this.tokens.schedule({ priority, weight }, async () => undefined);
      }
      return this.stopped ? undefined : { settle: (refund) => this.settle(refund) };
    } catch {
      return undefined;
    } finally {
      if (--this.waiting === 0) clearInterval(this.keepAlive);
    }
  }

  private settle(refund: number): void {
    const limiter = this.tokens;
    if (!limiter || this.stopped || Math.round(refund) === 0) return;
    void limiter
      .currentReservoir()
      .then((now) => {
        // Never refill past the bucket's size: refunds must not turn into a burst.
        const add = Math.min(Math.round(refund), this.tokenCapacity - (now ?? 0));
        return add === 0 ? undefined : limiter.incrementReservoir(add);
      })
      .catch(() => undefined);
  }

  share(): number {
    return 1;
  }

  /** The adaptive controller's request rate (calls per second), under the configured caps; undefined lifts it. */
  setAdaptiveRate(rps: number | undefined): void {
    const minTime = Math.max(this.configuredMinTime, rps ? 1000 / rps : 0);
    if (this.pace) void this.pace.updateSettings({ minTime });
    else if (minTime > 0) this.pace = pacer(minTime);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const limiter of [this.tokens, this.pace]) {
      if (limiter) await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    }
  }
}

/**
 * Spaces call starts `minTime` apart. One call at a time passes through it: bottleneck fixes a
 * call's start time when it takes the call in, so taking in one at a time means a new rate from
 * the adaptive controller applies to every call still waiting, not only to calls that come later.
 */
function pacer(minTime: number): Bottleneck {
  return new Bottleneck({ minTime, maxConcurrent: 1 });
}
