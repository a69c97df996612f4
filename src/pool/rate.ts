/**
 * Admission by rate, on bottleneck: requests per minute as an even spacing between call starts
 * (`minTime`), tokens per minute as a bucket refilled every 100 ms (`reservoirIncrease*`).
 * A per-minute quota also throttles bursts, so calls are spread across the minute instead of
 * spending a minute's budget at once; the token bucket holds at most one second's worth, or one
 * call's worth if that is larger.
 *
 * Tokens are reserved the way Bedrock's quota counts them: estimated input plus max_tokens when a
 * call starts, settled to the real usage when it ends (`settle`).
 */
import Bottleneck from 'bottleneck';

export interface RateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute. */
  tpm?: number;
}

const REFILL_MS = 100;

export class RateGate {
  private readonly limiter: Bottleneck | undefined;
  private readonly configuredMinTime: number;
  private adaptiveRps: number | undefined;
  private readonly tokenCapacity: number;

  /**
   * @param limits the caps the user gave
   * @param largestCall the largest single reservation expected, so the bucket can always admit it
   */
  constructor(
    private readonly limits: RateLimits,
    largestCall = 0,
  ) {
    this.configuredMinTime = limits.rpm ? 60_000 / limits.rpm : 0;
    this.tokenCapacity = limits.tpm ? Math.max(Math.ceil(limits.tpm / 60), largestCall) : 0;
    this.limiter = this.needsLimiter() ? this.createLimiter() : undefined;
  }

  private needsLimiter(): boolean {
    return this.limits.rpm !== undefined || this.limits.tpm !== undefined;
  }

  private createLimiter(): Bottleneck {
    const tpm = this.limits.tpm;
    return new Bottleneck({
      minTime: this.configuredMinTime,
      ...(tpm
        ? {
            reservoir: this.tokenCapacity,
            reservoirIncreaseInterval: REFILL_MS,
            reservoirIncreaseAmount: Math.max(1, Math.round((tpm * REFILL_MS) / 60_000)),
            reservoirIncreaseMaximum: this.tokenCapacity,
          }
        : {}),
    });
  }

  /**
   * Waits until a call reserving `tokens` may start; false if the gate was stopped meanwhile.
   * Retries pass a higher priority (a lower number).
   */
  async acquire(tokens: number, priority = 5): Promise<boolean> {
    const limiter = this.limiter ?? this.adaptiveLimiter;
    if (!limiter) return true;
    const weight = this.limits.tpm ? Math.min(Math.max(0, Math.round(tokens)), this.tokenCapacity) : 0;
    try {
      await limiter.schedule({ priority, weight }, async () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  /** Corrects a reservation once the real usage is known: positive gives tokens back. */
  settle(refund: number): void {
    if (!this.limiter || !this.limits.tpm || refund === 0) return;
    const limiter = this.limiter;
    void limiter.incrementReservoir(Math.round(refund)).then(async (now) => {
      if (now !== undefined && now !== null && now > this.tokenCapacity) {
        await limiter.updateSettings({ reservoir: this.tokenCapacity });
      }
    });
  }

  /**
   * The adaptive controller's request rate (calls per second), on top of the configured caps;
   * undefined lifts it.
   */
  setAdaptiveRate(rps: number | undefined): void {
    this.adaptiveRps = rps;
    const minTime = Math.max(this.configuredMinTime, rps ? 1000 / rps : 0);
    if (this.limiter) {
      void this.limiter.updateSettings({ minTime });
    } else if (rps !== undefined) {
      this.adaptiveLimiter ??= new Bottleneck({ minTime });
      void this.adaptiveLimiter.updateSettings({ minTime });
    } else if (this.adaptiveLimiter) {
      void this.adaptiveLimiter.updateSettings({ minTime: 0 });
    }
  }

  get adaptiveRate(): number | undefined {
    return this.adaptiveRps;
  }

  /** Only created once the adaptive controller first slows down a run that has no rpm/tpm caps. */
  private adaptiveLimiter: Bottleneck | undefined;

  async stop(): Promise<void> {
    for (const limiter of [this.limiter, this.adaptiveLimiter]) {
      if (limiter) await limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    }
  }
}
