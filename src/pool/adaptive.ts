/**
 * Adaptive control: find the real quota without being told it, and stay just under it.
 *
 * A throttle means the server's bucket was empty when that call arrived. Between two throttles the
 * bucket was empty at both ends, so the calls it let through in between are at most what it
 * refilled: successes / span is a lower bound on the quota (exact when the bucket never filled up
 * in between). The controller keeps the best such bound of the last half minute and runs just under
 * it. Until a throttle is far enough from an earlier one to measure, it halves the rate instead.
 * Concurrency is cut by the same decrease, but never below what the new rate needs; while calls
 * succeed, rate and concurrency rise again by a fixed step (additive increase), never above the
 * configured caps. When several runners share one limiter, the rate is theirs together: what
 * this one measures is scaled by its share of the calls. Nothing here knows about Bedrock.
 */

export interface AdaptiveTarget {
  setRate(rps: number | undefined): void;
  setConcurrency(n: number): void;
}

export interface AdaptiveOptions {
  /** The user's concurrency cap. */
  maxConcurrency: number;
  /** The user's request-rate cap (rpm / 60), if any. */
  maxRps?: number;
  /**
   * This controller's share of the calls made on the quota (runners sharing one limiter each see
   * their own calls only): its measurements are scaled up by it, since the rate it sets is the
   * rate of all of them. @default () => 1
   */
  share?: () => number;
  now?: () => number;
}

/** Share of the measured quota to run at, leaving room for the server's bucket to refill. */
const HEADROOM = 0.95;
/** Decrease when no measurement is possible yet: at least this, at most MIN_FACTOR. */
const BACKOFF = 0.5;
const MIN_FACTOR = 0.1;
/** The accepted share is only trusted over at least this many recent calls. */
const MIN_SAMPLE = 10;
/** Spans shorter than this between throttles are too noisy to measure a quota from. */
const MIN_SPAN_MS = 1000;
/** A measurement needs this many calls let through: fewer say too little to hold the rate down. */
const MIN_CALLS = 20;
const FIRST_CALLS = 5;
/** Before any full measurement, a first rough one may come from a span this short. */
const FIRST_SPAN_MS = 200;
/** Measurements older than this are forgotten (the quota may be shared and change). */
const MEMORY_MS = 30_000;
/** At most one blind decrease per this interval: throttles of calls already in flight say nothing new. */
const COOLDOWN_MS = 250;
/** Additive increase: this share of the measured quota, every STEP_MS without throttles. */
const STEP_SHARE = 0.0025;
const STEP_MS = 250;
/** Climbing back after a blind cut: this factor every STEP_MS, once RECOVERY_QUIET_MS passed without throttles. */
const RECOVERY = 1.1;
const RECOVERY_QUIET_MS = 2000;
/** A throttle with no other within this span is a lone one, not an overload. */
const LONE_MS = 1000;

interface Dispatch {
  at: number;
  outcome: 'pending' | 'ok' | 'throttle' | 'other';
}

export class AdaptiveController {
  private readonly now: () => number;
  private rate: number | undefined;
  private concurrency: number;
  private step = 0;
  private lastThrottleAt = Number.NEGATIVE_INFINITY;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private lastIncreaseAt = 0;
  /** Dispatch times of recent throttled calls, oldest first. */
  private readonly throttles: number[] = [];
  /** Lower bounds on the quota (calls per second), with when they were measured. */
  private readonly bounds: Array<{ at: number; rps: number }> = [];
  private readonly log: Dispatch[] = [];
  private latencyMs = 0;
  /** The rate before the last blind cut, to climb back to quickly if no overload follows. */
  private recoverTo: number | undefined;

  constructor(
    private readonly target: AdaptiveTarget,
    private readonly options: AdaptiveOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.concurrency = options.maxConcurrency;
  }

  /** Call when an attempt is sent; pass the returned handle to `done`. */
  dispatched(): Dispatch {
    const entry: Dispatch = { at: this.now(), outcome: 'pending' };
    this.log.push(entry);
    return entry;
  }

  done(entry: Dispatch, outcome: 'ok' | 'throttle' | 'other'): void {
    entry.outcome = outcome;
    const now = this.now();
    if (outcome === 'throttle') {
      this.throttled(entry.at, now);
    } else if (outcome === 'ok') {
      const latency = now - entry.at;
      this.latencyMs = this.latencyMs === 0 ? latency : 0.9 * this.latencyMs + 0.1 * latency;
      this.maybeIncrease(now);
    }
    this.prune(now);
  }

  private share(): number {
    return Math.min(1, Math.max(0.01, this.options.share?.() ?? 1));
  }

  get currentRate(): number | undefined {
    return this.rate;
  }

  get currentConcurrency(): number {
    return this.concurrency;
  }

  private throttled(at: number, now: number): void {
    this.lastThrottleAt = Math.max(this.lastThrottleAt, at);
    this.throttles.push(at);
    this.throttles.sort((x, y) => x - y);
    const bound = this.measure(at, MIN_SPAN_MS, MIN_CALLS);
    if (bound !== undefined) this.bounds.push({ at: now, rps: bound });
    // Until a long span has been measured, a short one gives a first, rougher figure to use.
    const best = this.bestBound(now) ?? this.measure(at, FIRST_SPAN_MS, FIRST_CALLS);
    if (best !== undefined) {
      // A measured quota is the ceiling to creep up to, not a rate to jump back to.
      this.recoverTo = undefined;
      this.apply(Math.max(best * HEADROOM, 0.1), now);
    } else if (now - this.lastDecreaseAt >= COOLDOWN_MS && this.throttlesSince(at - LONE_MS) >= 2) {
      // No measurement yet: cut by the share of recent calls the server accepted (it accepts about
      // quota / offered rate), at least halving, so a 10x overload is not undone one halving at a
      // time. A lone throttle is not an overload: it changes nothing.
      const current = Math.min(this.rate ?? Number.POSITIVE_INFINITY, this.recentRate(now) / this.share());
      const factor = Math.max(MIN_FACTOR, Math.min(BACKOFF, this.acceptance(now)));
      this.recoverTo = Math.max(this.recoverTo ?? 0, current);
      this.apply(Math.max(current * factor, 0.1), now);
    }
  }

  private throttlesSince(from: number): number {
    let n = 0;
    for (let i = this.throttles.length - 1; i >= 0 && (this.throttles[i] ?? 0) >= from; i--) n++;
    return n;
  }

  /** Share of the calls dispatched in the last half second, and finished, that were not throttled. */
  private acceptance(now: number): number {
    let ok = 0;
    let throttled = 0;
    for (let i = this.log.length - 1; i >= 0; i--) {
      const d = this.log[i];
      if (!d || d.at < now - 500) break;
      if (d.outcome === 'ok') ok++;
      else if (d.outcome === 'throttle') throttled++;
    }
    // Too few calls say nothing about the overload: then just halve.
    return ok + throttled < MIN_SAMPLE ? 1 : ok / (ok + throttled);
  }

  /**
   * A lower bound on the quota: over a span that starts at a throttle (the bucket was empty then),
   * the calls the server let through cannot exceed what it refilled. The span ends at this
   * throttle, or earlier at the first call still in flight (its outcome is not known yet). The
   * tightest (largest) bound is taken. A span with few calls let through is not used: when this
   * run was held back (by its own caps, or a slow stretch) the bound is loose, and a loose bound
   * would hold the run far below the quota.
   */
  private measure(to: number, minSpan: number, minCalls: number): number | undefined {
    const end = Math.min(to, this.firstPending());
    let best: number | undefined;
    for (const from of this.throttles) {
      if (end - from < minSpan) break;
      // One call less: the bucket may have held part of a token when the span began.
      const ok = this.successesBetween(from, end) - 1;
      if (ok < minCalls) continue;
      const rps = (ok * 1000) / (end - from) / this.share();
      if (best === undefined || rps > best) best = rps;
    }
    return best;
  }

  private firstPending(): number {
    for (const d of this.log) if (d.outcome === 'pending') return d.at;
    return Number.POSITIVE_INFINITY;
  }

  private successesBetween(from: number, to: number): number {
    let ok = 0;
    for (const d of this.log) {
      if (d.at < from) continue;
      if (d.at >= to) break;
      if (d.outcome === 'ok') ok++;
    }
    return ok;
  }

  private bestBound(now: number): number | undefined {
    let best: number | undefined;
    for (const b of this.bounds)
      if (now - b.at <= MEMORY_MS && (best === undefined || b.rps > best)) best = b.rps;
    return best;
  }

  /** Calls per second dispatched over the last second. */
  private recentRate(now: number): number {
    const since = now - 1000;
    let n = 0;
    for (let i = this.log.length - 1; i >= 0 && (this.log[i]?.at ?? 0) >= since; i--) n++;
    return Math.max(n, 1);
  }

  private apply(rate: number, now: number): void {
    const capped = this.options.maxRps === undefined ? rate : Math.min(rate, this.options.maxRps);
    const decreased = this.rate === undefined || capped < this.rate;
    if (!decreased && this.rate !== undefined && capped <= this.rate) return;
    this.rate = capped;
    this.step = Math.max(capped * STEP_SHARE, 0.01);
    this.lastIncreaseAt = now;
    this.target.setRate(capped);
    if (decreased) {
      this.lastDecreaseAt = now;
      // Concurrency follows, but keeps enough calls in flight to sustain the new rate.
      const needed = Math.ceil((capped * this.share() * Math.max(this.latencyMs, 1)) / 1000) + 1;
      this.setConcurrency(Math.max(needed, Math.floor(this.concurrency * 0.7)));
    }
  }

  /**
   * Raises rate and concurrency for the time passed without throttles: one step per STEP_MS, so a
   * slow run (few successes to trigger this) climbs as fast in time as a quick one.
   */
  private maybeIncrease(now: number): void {
    if (now - this.lastThrottleAt < STEP_MS || now - this.lastIncreaseAt < STEP_MS) return;
    const steps = Math.min(40, Math.floor((now - this.lastIncreaseAt) / STEP_MS));
    this.lastIncreaseAt = now;
    if (this.concurrency < this.options.maxConcurrency) this.setConcurrency(this.concurrency + steps);
    if (this.rate === undefined) return;
    let next = this.rate;
    for (let i = 0; i < steps; i++) {
      // After a blind cut, climb back quickly (multiplicatively) to where the rate was; beyond
      // that, or after a measured cut, creep up additively.
      const recovering =
        this.recoverTo !== undefined &&
        next < this.recoverTo &&
        now - this.lastThrottleAt >= RECOVERY_QUIET_MS;
      next = recovering ? Math.min(this.recoverTo ?? 0, next * RECOVERY) : next + this.step;
    }
    this.rate = this.options.maxRps === undefined ? next : Math.min(next, this.options.maxRps);
    this.target.setRate(this.rate);
  }

  private setConcurrency(n: number): void {
    const bounded = Math.min(this.options.maxConcurrency, Math.max(1, n));
    if (bounded === this.concurrency) return;
    this.concurrency = bounded;
    this.target.setConcurrency(bounded);
  }

  /** Forgets what no measurement can use any more. */
  private prune(now: number): void {
    const horizon = now - MEMORY_MS;
    while (this.throttles.length > 0 && (this.throttles[0] ?? 0) < horizon) this.throttles.shift();
    while (this.bounds.length > 0 && (this.bounds[0]?.at ?? 0) < horizon) this.bounds.shift();
    if (this.throttles.length > 256) this.throttles.splice(0, this.throttles.length - 256);
    let drop = 0;
    const oldest = Math.min(this.throttles[0] ?? now, horizon);
    while (
      drop < this.log.length &&
      (this.log[drop]?.at ?? 0) < oldest &&
      this.log[drop]?.outcome !== 'pending'
    )
      drop++;
    if (drop > 1024 || drop === this.log.length) this.log.splice(0, drop);
  }
}
