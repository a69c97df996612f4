/**
 * The pool: runs tasks with at most N in flight (p-limit), admitted by rate (RateGate), retried in
 * this one layer with full-jitter backoff, and slowed down by the adaptive controller on throttles.
 * A task's outcome is data, success or failure; nothing a task throws escapes the pool.
 * It knows nothing of Bedrock: the task brings its own attempt and error classification.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { AdaptiveController } from './adaptive.js';
import { DEFAULT_RETRY, type RetryPolicy, retryDelayMs } from './backoff.js';
import type { Slots } from './fair-slots.js';
import type { Gate } from './gate.js';
import { RateGate, type RateLimits } from './rate.js';
import { type Reserve, SettleEstimate } from './settle-estimate.js';
import type { SharedLimiter } from './shared.js';
import { SharedGate } from './shared-gate.js';
import { sleep } from './sleep.js';

/** What the pool needs to know about a failed attempt. */
export interface Failure {
  retryable: boolean;
  throttle: boolean;
  /** Which quota a throttle spent, if known: a token quota gives tokens back as calls end. */
  quota?: 'tokens' | 'requests';
  retryAfterMs?: number;
}

export interface Task<T, F extends Failure> {
  /**
   * Tokens reserved when an attempt starts: estimated input and the most output it may produce;
   * and the most it may count when it settles, if more (output burndown). Read at every attempt:
   * a retry may ask for more.
   */
  readonly reserve: Reserve;
  attempt(signal: AbortSignal): Promise<T>;
  /** Tokens the attempt really used, to settle its reservation. */
  used(value: T): number;
  /** Tokens a failed attempt still used (the quota's rule for failures is the task's to know). */
  usedOnFailure(failure: F): number;
  classify(error: unknown): F;
}

/**
 * One attempt's news, as it happens (not when its row finishes): sent (a retry when `attempt` > 1),
 * answered, or failed (a throttle among them). Progress counts throttles from these, and the metrics
 * and traces take calls, throttles and retries from them, so every count agrees with `stats`.
 */
export type AttemptEvent<F> =
  | { type: 'sent'; attempt: number }
  | { type: 'ok'; attempt: number; latencyMs: number }
  | { type: 'failed'; attempt: number; latencyMs: number; failure: F; willRetry: boolean };

export type Outcome<T, F> =
  | { kind: 'ok'; value: T; attempts: number; latencyMs: number }
  | { kind: 'failed'; failure: F; attempts: number; latencyMs: number }
  /** The run was stopping before the task's first attempt: nothing was sent. */
  | { kind: 'notSent' };

export interface PoolOptions extends RateLimits {
  /** Most attempts in flight. */
  concurrency: number;
  retry?: RetryPolicy;
  /** Slow down on throttles and speed up again. @default true */
  adaptive?: boolean;
  /** Per-attempt timeout; the attempt's signal aborts when it passes. */
  requestTimeoutMs?: number;
  /** The soft stop: aborts waits (backoff, admission); calls in flight go on. */
  softStop?: AbortSignal;
  /** The hard stop: cuts calls in flight off; their tasks end as `notSent`, as nothing finished. */
  hardStop?: AbortSignal;
  /**
   * Limits shared with every runner on one Redis key (`connectLimiter`); the pool owns it from
   * here and closes it in `close()`. Without it, limits are this process's own.
   */
  limiter?: SharedLimiter;
  /** Calls in flight shared with other pools (several models under one `-c`: fair-slots.ts). */
  slots?: Slots;
  random?: () => number;
  /** Waits between attempts; tests pass one that records the delays. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PoolStats {
  attempts: number;
  throttles: number;
  retries: number;
}

/** The error an attempt fails with when it runs past the request timeout. */
export class AttemptTimeout extends Error {
  override readonly name = 'TimeoutError';
}

export class Pool {
  private readonly limit: LimitFunction;
  private readonly gate: Gate;
  private readonly adaptive: AdaptiveController | undefined;
  private readonly retry: RetryPolicy;
  private readonly estimate = new SettleEstimate();
  readonly stats: PoolStats = { attempts: 0, throttles: 0, retries: 0 };

  constructor(
    private readonly options: PoolOptions,
    largestReservation = 0,
  ) {
    this.limit = pLimit(options.concurrency);
    this.gate = options.limiter
      ? new SharedGate(options.limiter, options, largestReservation)
      : new RateGate(options, largestReservation);
    // Stopping lets every row still waiting for admission go: it has sent nothing.
    options.softStop?.addEventListener('abort', () => void this.gate.stop(), { once: true });
    this.retry = options.retry ?? DEFAULT_RETRY;
    if (options.adaptive !== false) {
      const limiter = options.limiter;
      this.adaptive = new AdaptiveController(
        {
          setRate: (rps, quota, raise) => this.gate.setAdaptiveRate(rps, quota, raise),
          setConcurrency: (n) => {
            this.limit.concurrency = n;
          },
        },
        {
          maxConcurrency: options.concurrency,
          share: () => this.gate.share(),
          spans: limiter === undefined,
          ...(limiter
            ? { letThrough: (apart: number) => limiter.letThrough(apart), sending: () => limiter.sending() }
            : {}),
          ...(options.rpm ? { maxRps: options.rpm / 60 } : {}),
        },
      );
      const adaptive = this.adaptive;
      if (this.gate instanceof SharedGate) this.gate.onRate = (rps, quota) => adaptive.adopt(rps, quota);
      if (options.limiter) {
        options.limiter.onQuota = (rps) => adaptive.measured(rps);
        options.limiter.latencyMs = () => adaptive.latency;
      }
    }
  }

  /** Tasks waiting for a slot plus those running. */
  get load(): number {
    return this.limit.activeCount + this.limit.pendingCount;
  }

  get concurrency(): number {
    return this.limit.concurrency;
  }

  /** `observe` hears each of the task's attempts as it happens. */
  run<T, F extends Failure>(
    task: Task<T, F>,
    observe?: (event: AttemptEvent<F>) => void,
  ): Promise<Outcome<T, F>> {
    return this.limit(() => this.attempts(task, observe));
  }

  private async attempts<T, F extends Failure>(
    task: Task<T, F>,
    observe?: (event: AttemptEvent<F>) => void,
  ): Promise<Outcome<T, F>> {
    let last: Outcome<T, F> | undefined;
    for (let attempt = 1; ; attempt++) {
      const reserved = task.reserve.input + task.reserve.output;
      // A retry goes ahead of rows that have not started, so rows finish in roughly input order.
      if (attempt === 1 && this.options.softStop?.aborted) return { kind: 'notSent' };
      const weight = this.estimate.weigh(task.reserve);
      const admitted = await this.gate.acquire(weight, attempt === 1 ? 5 : 4);
      if (attempt === 1 && (!admitted || this.options.softStop?.aborted)) {
        admitted?.settle(0);
        return { kind: 'notSent' };
      }
      if (!admitted) return last ?? { kind: 'notSent' };
      const release = this.options.slots ? await this.options.slots.acquire(this.options.softStop) : () => {};
      if (!release) {
        admitted.settle(0);
        return attempt === 1 ? { kind: 'notSent' } : (last ?? { kind: 'notSent' });
      }
      this.stats.attempts++;
      if (attempt > 1) this.stats.retries++;
      observe?.({ type: 'sent', attempt });
      const handle = this.adaptive?.dispatched();
      const started = performance.now();
      try {
        const value = await this.withTimeout(task).finally(release);
        const counted = task.used(value);
        admitted.settle(counted);
        this.estimate.learn(reserved, counted);
        if (handle) this.adaptive?.done(handle, 'ok');
        this.options.limiter?.outcome('ok');
        const latencyMs = performance.now() - started;
        observe?.({ type: 'ok', attempt, latencyMs });
        return { kind: 'ok', value, attempts: attempt, latencyMs };
      } catch (error) {
        if (this.options.hardStop?.aborted) {
          admitted.settle(task.usedOnFailure(task.classify(error)));
          return { kind: 'notSent' };
        }
        const latencyMs = performance.now() - started;
        const failure = task.classify(error);
        admitted.settle(task.usedOnFailure(failure));
        if (failure.throttle) {
          this.stats.throttles++;
          this.options.limiter?.outcome('throttle');
        }
        if (handle) this.adaptive?.done(handle, failure.throttle ? 'throttle' : 'other', failure.quota);
        last = { kind: 'failed', failure, attempts: attempt, latencyMs };
        const stopping = this.options.softStop?.aborted === true;
        const willRetry = failure.retryable && attempt < this.retry.maxAttempts && !stopping;
        observe?.({ type: 'failed', attempt, latencyMs, failure, willRetry });
        if (!willRetry) return last;
        const delay = retryDelayMs(attempt, this.retry, failure.retryAfterMs, this.options.random);
        await (this.options.sleep ?? sleep)(delay, this.options.softStop);
        if (this.options.softStop?.aborted) return last;
      }
    }
  }

  private async withTimeout<T, F extends Failure>(task: Task<T, F>): Promise<T> {
    const controller = new AbortController();
    const hard = this.options.hardStop;
    const cut = () => controller.abort(hard?.reason);
    if (hard?.aborted) cut();
    hard?.addEventListener('abort', cut, { once: true });
    const timeoutMs = this.options.requestTimeoutMs;
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs);
    try {
      return await task.attempt(controller.signal);
    } catch (error) {
      if (timedOut) throw new AttemptTimeout(`no complete response within ${timeoutMs} ms`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
      hard?.removeEventListener('abort', cut);
    }
  }

  async close(): Promise<void> {
    await this.gate.stop();
  }
}
