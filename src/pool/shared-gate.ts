/**
 * Admission shared by every runner on one Redis key (`--limiter`): the same contract as the local
 * RateGate, so the pool does not care which it has.
 *
 * - Call starts are spaced by the pace script in token-script.ts: one schedule in Redis for every
 *   runner, so `--rpm`, and the adaptive controller's rate, hold for the sum of all runners. The
 *   rate lives in Redis, so a cut after one runner's throttles slows every runner, and a runner that
 *   joins starts at the rate the others have learned. A turn is a time to start at: a turn taken
 *   late is made up by the next (bottleneck's clustered minTime, used before, lost the time of every
 *   late timer: three runners at 50 calls a second ran at 0.8 of it). One waiter of this runner
 *   holds a turn at a time (retries first), so a cut of the rate applies from the next turn on.
 * - Tokens (`--tpm`) come from the bucket in token-script.ts: reserved at start, settled with the
 *   real usage at the end, given back whole on a throttle, and given back on expiry when the runner
 *   that reserved them died. This runner's waiters take turns locally (one asks Redis at a time,
 *   retries first), so a queue of waiters costs one Redis call per wait, not one per waiter.
 * - When Redis fails, every waiter and every later call goes to a local RateGate with the same
 *   limits (shared.ts warns once).
 */
import Bottleneck from 'bottleneck';
import type { Admission, Gate } from './gate.js';
import { RateGate, type RateLimits, tokenBucket } from './rate.js';
import type { PaceReply, SharedLimiter } from './shared.js';
import { sleep } from './sleep.js';

/** Longest wait between two asks for tokens (refunds of other calls can come sooner than refill). */
const POLL_MS = 100;
const FAILED = 'failed' as const;
/**
 * While nothing paces (no --rpm, no adaptive rate yet: a server's first burst is free), calls pass
 * without asking Redis for this long after it last said so: a round trip per call, one at a time,
 * held three runners to a few hundred calls a second on a busy machine. A rate set by another
 * runner is so heard within this: every call sent unpaced after the first cut meets an empty
 * bucket, and at the burst's few hundred calls a second 50 ms was a dozen or more of them.
 */
const UNPACED_MS = 10;

export class SharedGate implements Gate {
  private readonly local: RateGate;
  private readonly paceTurns = new Bottleneck({ maxConcurrent: 1 });
  private readonly turns = new Bottleneck({ maxConcurrent: 1 });
  private readonly configuredMinTime: number;
  private readonly capacity: number;
  private readonly start: number;
  private readonly perMs: number;
  private readonly stopping = new AbortController();
  private stopped = false;
  private next = 0;
  private unpacedUntil = 0;
  /** The adaptive rate last heard from Redis, set by any runner, and how many rates were set then. */
  private sharedRate = 0;
  private cuts = 0;
  /** Told when another runner changed the shared adaptive rate (the pool's controller adopts it). */
  onRate?: (rps: number, quota: number) => void;

  constructor(
    private readonly shared: SharedLimiter,
    limits: RateLimits,
    largestCall = 0,
  ) {
    this.local = new RateGate(limits, largestCall);
    this.configuredMinTime = limits.rpm ? 60_000 / limits.rpm : 0;
    const bucket = limits.tpm ? tokenBucket(limits.tpm, largestCall) : { start: 0, capacity: 0 };
    this.capacity = bucket.capacity;
    this.start = bucket.start;
    this.perMs = (limits.tpm ?? 0) / 60_000;
  }

  async acquire(tokens: number, priority = 5): Promise<Admission | undefined> {
    if (this.stopped) return undefined;
    if (!this.shared.failed) {
      try {
        const admitted = await Promise.race([this.acquireShared(tokens, priority), this.shared.whenFailed]);
        if (admitted !== FAILED) return admitted;
      } catch (error) {
        if (this.stopped) return undefined;
        this.shared.fail(error);
      }
    }
    return this.local.acquire(tokens, priority);
  }

  private async acquireShared(tokens: number, priority: number): Promise<Admission | undefined> {
    if (performance.now() >= this.unpacedUntil)
      await this.paceTurns.schedule({ priority }, async () => {
        if (performance.now() < this.unpacedUntil) return;
        const reply = await this.shared.pace('turn', this.configuredMinTime);
        this.heard(reply);
        const { wait } = reply;
        if (wait < 0) this.unpacedUntil = performance.now() + UNPACED_MS;
        else if (wait > 0) await sleep(wait, this.stopping.signal);
      });
    if (this.stopped) return undefined;
    const admission = this.capacity > 0 ? await this.takeTokens(tokens, priority) : { settle: () => {} };
    if (admission) this.shared.counted();
    return admission;
  }

  private takeTokens(tokens: number, priority: number): Promise<Admission | undefined> {
    // At most what refill alone reaches: a call weighing more could wait forever.
    const need = Math.min(Math.max(0, Math.round(tokens)), this.start);
    const id = `${this.shared.runner}:${this.next++}`;
    const ttl = this.shared.reservationTtlMs;
    return this.turns.schedule({ priority }, async () => {
      for (;;) {
        if (this.stopped || this.shared.failed) return undefined;
        const [ok, value] = await this.shared.tokens('take', [
          this.perMs,
          this.capacity,
          this.start,
          id,
          need,
          ttl,
          need,
        ]);
        if (ok === 1) return { settle: (counted: number) => this.settle(id, need - counted) };
        await sleep(Math.min(Math.max(value, 1), POLL_MS), this.stopping.signal);
      }
    });
  }

  private settle(id: string, refund: number): void {
    if (this.shared.failed) return;
    this.shared
      .tokens('settle', [this.perMs, this.capacity, this.start, id, Math.round(refund)])
      .catch((error) => this.shared.fail(error));
  }

  share(): number {
    return this.shared.share();
  }

  setAdaptiveRate(rps: number | undefined, quota?: number, raise = false): void {
    this.local.setAdaptiveRate(rps);
    if (this.shared.failed) return;
    if (rps) this.unpacedUntil = 0;
    this.sharedRate = rps ?? 0;
    // A climb, or a cut with no figure (from throttles alone), is from the rate this runner last
    // heard: refused, it hears the cut it missed. A figure is written whatever was set before.
    const blind = rps !== undefined && quota === undefined;
    this.shared
      .pace('rate', rps ?? 0, quota, raise || blind ? this.cuts : undefined, raise)
      .then((reply) => this.heard(reply))
      .catch((error) => this.shared.fail(error));
  }

  /** A rate another runner set (or raised past this one's) is told to the pool's controller. */
  private heard({ rate, quota, cuts }: PaceReply): void {
    this.cuts = Math.max(this.cuts, cuts);
    if (rate > 0 && rate !== this.sharedRate) {
      this.sharedRate = rate;
      this.onRate?.(rate, quota);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    await this.local.stop();
    await this.turns.stop({ dropWaitingJobs: true }).catch(() => undefined);
    await this.paceTurns.stop({ dropWaitingJobs: true }).catch(() => undefined);
    await this.shared.close();
  }
}
