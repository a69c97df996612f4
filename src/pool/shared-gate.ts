/**
 * Admission shared by every runner on one Redis key (`--limiter`): the same contract as the local
 * RateGate, so the pool does not care which it has.
 *
 * - Call starts are spaced by one bottleneck limiter clustered in Redis: `--rpm`, and the adaptive
 *   controller's rate, hold for the sum of all runners. Its settings live in Redis, so a cut after
 *   one runner's throttles slows every runner, and a runner that joins starts at the rate the
 *   others have learned. One call at a time passes through it (maxConcurrent 1, cluster-wide), for
 *   the reason rate.ts gives; a job expires after EXPIRY_MS so a runner killed mid-call cannot
 *   hold the turn.
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
import type { SharedLimiter } from './shared.js';
import { sleep } from './sleep.js';

/** A pacing turn not finished within this is taken as finished (its runner may have died). */
const EXPIRY_MS = 10_000;
/** Longest wait between two asks for tokens (refunds of other calls can come sooner than refill). */
const POLL_MS = 100;
const FAILED = 'failed' as const;

export class SharedGate implements Gate {
  private readonly local: RateGate;
  private readonly pace: Bottleneck;
  private readonly turns = new Bottleneck({ maxConcurrent: 1 });
  private readonly configuredMinTime: number;
  private readonly capacity: number;
  private readonly start: number;
  private readonly perMs: number;
  private readonly stopping = new AbortController();
  private readonly ready: Promise<unknown>;
  private stopped = false;
  private next = 0;

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
    this.pace = new Bottleneck({
      id: `${shared.prefix}:pace`,
      datastore: 'ioredis',
      connection: shared.connection,
      maxConcurrent: 1,
      minTime: this.configuredMinTime,
      // State nobody used for ten minutes is dropped from Redis.
      timeout: 600_000,
    });
    this.pace.on('error', (error: Error) => shared.fail(error));
    this.ready = this.pace.ready().then(() => this.joinSettings());
  }

  /**
   * bottleneck keeps the settings of a clustered limiter that already exists: a runner that joins
   * keeps the spacing the others learned, but not one below its own --rpm.
   */
  private async joinSettings(): Promise<void> {
    // bottleneck's documented key layout: b_<id>_settings.
    const stored = Number(await this.shared.client.hget(`b_${this.shared.prefix}:pace_settings`, 'minTime'));
    if (!(stored >= this.configuredMinTime))
      await this.pace.updateSettings({ minTime: this.configuredMinTime });
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
    await this.ready;
    await this.pace.schedule({ priority, expiration: EXPIRY_MS }, async () => undefined);
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

  setAdaptiveRate(rps: number | undefined): void {
    this.local.setAdaptiveRate(rps);
    if (this.shared.failed) return;
    const minTime = Math.max(this.configuredMinTime, rps ? 1000 / rps : 0);
    this.ready.then(() => this.pace.updateSettings({ minTime })).catch((error) => this.shared.fail(error));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    await this.local.stop();
    await this.turns.stop({ dropWaitingJobs: true }).catch(() => undefined);
    if (!this.shared.failed) await this.pace.stop({ dropWaitingJobs: true }).catch(() => undefined);
    await this.shared.close();
  }
}
