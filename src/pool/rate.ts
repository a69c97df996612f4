/**
 * Admission by rate, on bottleneck: two buckets, each a bottleneck reservoir that calls wait on
 * (in priority order, retries first), refilled by this module for the time that really passed.
 *
 * - Call starts (`--rpm`, and the adaptive controller's rate): a bucket of one call start, so calls
 *   are spread evenly instead of spending a minute's budget at once, refilled for the time that
 *   passed (fractions carried over), so a timer that fires late on a busy machine is made up by
 *   the next call instead of lost for good.
 * - Tokens (`--tpm`), reserved the way Bedrock's quota counts them: estimated input plus
 *   max_tokens when a call starts, settled to the real usage when it ends (`settle`). Refill fills
 *   the bucket to one second's worth (the least burst a per-minute quota could allow), so an idle
 *   stretch never saves up more than any quota would; what calls give back may take it up to a
 *   minute's worth, the tokens the quota has. Reservations in flight are so bounded by the quota,
 *   not by one second's worth, and calls that reserve far more than they use (max_tokens over a
 *   short answer) keep the quota busy.
 *
 * Why not bottleneck's own `reservoirIncrease*` and `minTime`: both count from when their timer
 * fired, so every late timer is time lost (a paced run on a loaded machine fell to 0.8 of its
 * rate), and `updateSettings` stops the reservoir heartbeat for good.
 */
import Bottleneck from 'bottleneck';
import type { Admission, Gate } from './gate.js';

export interface RateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute. */
  tpm?: number;
}

/** How often the buckets are refilled (with the time that really passed since the last refill). */
const REFILL_MS = 20;

/**
 * Refill stops this far short of one second's worth: Bedrock counts a call's input itself, and
 * an estimate a little short of it, on every call in flight, would otherwise hold more than its
 * bucket has.
 */
const START_SHARE = 0.75;

/**
 * The token bucket: refill fills it to one second's worth (`start`, also where it starts), tokens
 * given back up to a minute's (`capacity`); both at least one call's worth, so the largest call
 * can always pass.
 */
export function tokenBucket(tpm: number, largestCall: number): { start: number; capacity: number } {
  return {
    start: Math.max(Math.ceil((tpm / 60) * START_SHARE), largestCall),
    capacity: Math.max(tpm, largestCall),
  };
}

/**
 * A bottleneck reservoir (the truth: bottleneck takes a call's weight from it as it admits the
 * call) refilled at `perMs` up to `refillCap`, and given tokens back up to `capacity`. Fractions of a token carry over to the next refill.
 * Changes go through one promise chain, so a refill never reads the level another is changing;
 * a call admitted meanwhile only lowers it, so the cap still holds.
 */
class Bucket {
  readonly limiter: Bottleneck;
  private fraction = 0;
  private last = performance.now();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    public perMs: number,
    public capacity: number,
    public refillCap: number,
  ) {
    this.limiter = new Bottleneck({ reservoir: Math.floor(refillCap) });
  }

  refill(now: number): void {
    const due = (now - this.last) * this.perMs + this.fraction;
    this.last = now;
    const whole = Math.floor(due);
    this.fraction = due - whole;
    if (whole > 0) this.add(whole, this.refillCap);
  }

  /** Adds tokens (negative takes), never past `cap`; a level already past it stays. */
  add(amount: number, cap = this.capacity): void {
    this.chain = this.chain
      .then(async () => {
        const level = (await this.limiter.currentReservoir()) ?? 0;
        const next = amount >= 0 ? Math.max(level, Math.min(cap, level + amount)) : level + amount;
        if (next !== level) await this.limiter.incrementReservoir(next - level);
      })
      .catch(() => undefined);
  }
}

export class RateGate implements Gate {
  private readonly tokens: Bucket | undefined;
  private readonly pace: Bucket;
  private readonly configuredRps: number;
  private stopped = false;
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param limits the caps the user gave
   * @param largestCall the largest single reservation expected, so the bucket can always admit it
   */
  constructor(limits: RateLimits, largestCall = 0) {
    this.configuredRps = limits.rpm ? limits.rpm / 60 : 0;
    this.pace = new Bucket(0, 1, 1);
    this.setPace(this.configuredRps);
    if (limits.tpm) {
      const bucket = tokenBucket(limits.tpm, largestCall);
      this.tokens = new Bucket(limits.tpm / 60_000, bucket.capacity, bucket.start);
    }
  }

  async acquire(tokens: number, priority = 5): Promise<Admission | undefined> {
    if (this.stopped) return undefined;
    if (!this.tokens && this.pace.perMs === 0) return { settle: () => {} };
    // The refill timer runs only while someone waits, and then keeps the process alive: when every
    // row waits for a bucket, nothing else would, and Node would exit mid-run.
    if (this.waiting++ === 0) this.timer = setInterval(() => this.refill(), REFILL_MS);
    // Credit the time since the last refill now: a call that finds no queue must not wait a tick.
    this.refill();
    try {
      // Spacing first, tokens last: a call holding tokens while it waits for its turn would keep
      // them from the calls that could start now.
      if (this.pace.perMs > 0) {
        await this.pace.limiter.schedule({ priority, weight: 1 }, async () => undefined);
      }
      const bucket = this.tokens;
      // At most what refill alone reaches: a call weighing more could wait forever.
      const weight = bucket ? Math.min(Math.max(0, Math.round(tokens)), bucket.refillCap) : 0;
      if (bucket) await bucket.limiter.schedule({ priority, weight }, async () => undefined);
      return this.stopped ? undefined : { settle: (counted) => this.settle(weight - counted) };
    } catch {
      return undefined;
    } finally {
      if (--this.waiting === 0) clearInterval(this.timer);
    }
  }

  private refill(): void {
    const now = performance.now();
    this.pace.refill(now);
    this.tokens?.refill(now);
  }

  /** Never past the bucket's size: refunds must not turn into a burst. A negative refund takes. */
  private settle(refund: number): void {
    if (!this.tokens || this.stopped || Math.round(refund) === 0) return;
    this.tokens.refill(performance.now());
    this.tokens.add(Math.round(refund));
  }

  share(): number {
    return 1;
  }

  /** The adaptive controller's request rate (calls per second), under the configured caps; undefined lifts it. */
  setAdaptiveRate(rps: number | undefined): void {
    const rates = [this.configuredRps, rps ?? 0].filter((r) => r > 0);
    this.setPace(rates.length === 0 ? 0 : Math.min(...rates));
  }

  private setPace(rps: number): void {
    this.pace.refill(performance.now());
    this.pace.perMs = rps / 1000;
    // One start saved up at most: two at once would meet a server bucket that has refilled for one
    // (on a token quota a second call at once is often throttled). Late timers are made up by the
    // fraction carried over, not by saving starts up.
    this.pace.capacity = 1;
    this.pace.refillCap = this.pace.capacity;
    // A lower rate holds fewer saved-up starts.
    void this.pace.limiter
      .currentReservoir()
      .then(
        (level) => (level ?? 0) > this.pace.capacity && this.pace.limiter.updateSettings({ reservoir: 1 }),
      );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const bucket of [this.tokens, this.pace]) {
      if (bucket) await bucket.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    }
  }
}
