/**
 * Adaptive control: find the real quota without being told it, and run at it.
 *
 * A throttle means the server's bucket was empty when that call arrived. Between two throttles the
 * bucket was empty at both ends, so the calls it let through in between are what it refilled in
 * that span: successes / span is the quota's rate, within one call, whatever the bucket's size, and
 * from below when the bucket filled up in between (never from above). A span is measured once every
 * call sent in it has its outcome, since calls still in flight would be missed. The controller
 * keeps the best such measurement of the last half minute and runs at it; while calls succeed it
 * probes a little above (additive increase), and the throttle a probe meets gives the next
 * measurement and brings the rate back.
 *
 * The first throttles (the server's burst spent) come before any span can be measured: the rate
 * is cut to a tenth of what was being sent, then climbs multiplicatively until throttles come back;
 * a first rough measurement, from a short span, is used meanwhile. Throttles that keep coming at
 * the measured rate mean the quota fell (another runner joined it): the old measurements are
 * forgotten and the search starts again from the share of calls the server accepted.
 *
 * Concurrency is cut with the rate, but never below what the new rate needs, and rises again while
 * calls succeed, never above the configured caps. When several runners share one limiter, the rate
 * is theirs together: what this one measures is scaled by its share of the calls. Nothing here
 * knows about Bedrock.
 */

export interface AdaptiveTarget {
  /**
   * `quota`: the quota's rate just measured (`measured`), which sets this rate. `raise`: a climb
   * (a probe, the search), which must neither lower a rate another runner sharing it set higher nor
   * undo a cut this runner has not heard of yet.
   */
  setRate(rps: number | undefined, quota?: number, raise?: boolean): void;
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
  /**
   * Measure the quota from this controller's own calls (the spans between throttles). Off when
   * runners share a limiter: each sees a third of the calls, and the quota's rate comes instead
   * from what all of them were let through (`measured`). @default true
   */
  spans?: boolean;
  /**
   * Sharing a limiter: what every runner was let through per second lately while throttled now and
   * then (see QuotaSamples.letThrough), for a search whose throttles never last long enough for
   * `measured`.
   */
  letThrough?: (apart: number) => number | undefined;
  /** Sharing a limiter: the most calls every runner started per second lately (QuotaSamples.sending). */
  sending?: () => number | undefined;
  now?: () => number;
}

/** A measurement needs a span at least this long, with at least MIN_CALLS let through. */
const MIN_SPAN_MS = 500;
const MIN_CALLS = 10;
/** A rough first measurement, used only until a proper one exists. */
const ROUGH_SPAN_MS = 60;
const ROUGH_CALLS = 2;
/** Measurements older than this are forgotten (the quota may be shared and change). */
const MEMORY_MS = 30_000;
/** The first cut, before anything is measured: this share of the rate being sent. */
const FIRST_CUT = 0.1;
/** Runners sharing a limiter run at this share of the quota's rate measured from all their calls. */
const MEASURED_SHARE = 0.98;
/** A measurement this recent is averaged with the next one. */
const SMOOTH_MS = 5000;
/** Throttled on, under the measured rate: the measurement is taken down by this factor. */
const LOWER = 0.97;
/**
 * Sharing a limiter, this many of one runner's throttles within LONE_MS under the measured rate:
 * it comes down by the share of calls let through instead, to at most DEEPEST_LOWER of itself.
 */
const UNDER_THROTTLES = 3;
const DEEPEST_LOWER = 0.7;
/**
 * Sharing a limiter, what every runner was let through between throttled samples this many
 * samples apart at least is a figure for the quota: roughly, in a search; in the paced state,
 * seconds apart, as a sample's part at either end is a few percent of that.
 */
const SEARCH_APART = 2;
const PACED_APART = 8;
/** Sharing a limiter, a throttle this far past the figure says the figure was low. */
const FAR_PAST = 1.1;
/** Sharing a limiter, a probe goes no further than this many times the figure (see probeCap). */
const PROBE_CAP = 2;
/** Search: climb by this factor every STEP_MS without throttles, until throttles give a measurement. */
const SEARCH_GROWTH = 1.3;
/**
 * Sharing a limiter, the search climbs to at most this share of the rate the first throttles came
 * at, until it has met no throttle there for CEILING_QUIET_MS: the bucket refilled while the rate
 * was cut, so throttles come back only a second or more after the climb passed the quota, by when
 * it was back at the rate that was throttled (twice a 1 s bucket's quota, and a second wave).
 */
const SEARCH_CEILING = 0.5;
const CEILING_QUIET_MS = 2000;
/**
 * Paced: probe above the measured rate by this share of it every STEP_MS without throttles, times
 * 1 + q/2 + (q-1)²/2 for q seconds since the last throttle (q-1 counted from the second second):
 * +1% in the first second, as most measurements are right; +36% after 6 s, since a quiet that
 * long means the measurement was loose (a token quota's can be) or the quota grew.
 */
const PROBE_SHARE = 0.0025;
const STEP_MS = 250;
/** At most one blind cut per this interval: throttles of calls already in flight say nothing new. */
const COOLDOWN_MS = 250;
/**
 * Sharing a limiter, after n cuts in a row at one figure the probe waits HOLD_MS x (2^n - 1): 0,
 * 1, 3, then 7 s. A figure that moved by more than MOVED either way starts over: a wait that long
 * under a figure that fell too far would cost seconds at a fraction of the quota.
 */
const HOLD_MS = 1000;
const HELD_MAX = 3;
const MOVED = 0.02;
/** A rate another runner set this much lower or more is a cut (the smallest is MEASURED_SHARE). */
const ADOPTED_CUT = 0.99;
/** A throttle with no other within this span is a lone one, not an overload. */
const LONE_MS = 1000;
/** This many throttles within LONE_MS while at or below the measured rate: the quota fell. */
const STALE_THROTTLES = 4;
const LOG_LIMIT = 50_000;

interface Dispatch {
  at: number;
  /** When its outcome came. */
  end?: number;
  outcome: 'pending' | 'ok' | 'throttle' | 'other';
  /** A throttle of a token quota. */
  tokens?: boolean;
}

export class AdaptiveController {
  private readonly now: () => number;
  private rate: number | undefined;
  private concurrency: number;
  private step = 0;
  private lastThrottleAt = Number.NEGATIVE_INFINITY;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  /** When this controller took a lower rate another runner set: throttles of calls sent before say nothing. */
  private adoptedCutAt = Number.NEGATIVE_INFINITY;
  private lastIncreaseAt = 0;
  /** Recent attempts in dispatch order; `pendingFrom` is the index before which none is pending. */
  private readonly log: Dispatch[] = [];
  private pendingFrom = 0;
  /** Throttled attempts whose spans wait for calls sent before them to finish. */
  private readonly unresolved: Dispatch[] = [];
  /** Measured rates (calls per second, for all runners sharing the quota), with when. */
  private readonly bounds: Array<{ at: number; rps: number }> = [];
  private rough: number | undefined;
  /** Spans start no earlier than this: before it the quota was another. */
  private measureFrom = Number.NEGATIVE_INFINITY;
  private latencyMs = 0;
  /** Sharing a limiter: the rate every runner was sending at when the first throttles came. */
  private throttledSending: number | undefined;
  private atCeilingSince: number | undefined;
  /** Sharing a limiter, paced: since when the probe has been held at PROBE_CAP times the figure. */
  private atProbeCapSince: number | undefined;
  /** Sharing a limiter: throttles met under the measured rate since a probe last went past it. */
  private underFigure = 0;
  /** Sharing a limiter: cuts in a row at the same figure (a probe that met the quota where it was). */
  private held = 0;
  /**
   * Sharing a limiter, searching: the rate and time of the last cut (this runner's or one it took)
   * that the climb is reckoned from, the same for every runner whenever it hears of it.
   */
  private climbFrom: { rate: number; at: number } | undefined;

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

  /** @param quota which quota a throttle says was spent, if it says */
  done(entry: Dispatch, outcome: 'ok' | 'throttle' | 'other', quota?: 'tokens' | 'requests'): void {
    entry.outcome = outcome;
    const now = this.now();
    entry.end = now;
    if (quota === 'tokens') entry.tokens = true;
    if (outcome === 'throttle') {
      this.lastThrottleAt = Math.max(this.lastThrottleAt, entry.at);
      this.unresolved.push(entry);
      this.throttled(entry.at, now);
    } else if (outcome === 'ok') {
      const latency = now - entry.at;
      this.latencyMs = this.latencyMs === 0 ? latency : 0.9 * this.latencyMs + 0.1 * latency;
    }
    while (this.pendingFrom < this.log.length && this.log[this.pendingFrom]?.outcome !== 'pending')
      this.pendingFrom++;
    if (this.options.spans === false) this.unresolved.length = 0;
    else if (this.unresolved.length > 0) this.resolve(now);
    if (outcome === 'ok') this.maybeIncrease(now);
    this.prune(now);
  }

  /**
   * Takes the rate another runner sharing the limiter set (the pacing is theirs together): this
   * controller's next cut or probe starts from it, so three do not each cut, nor each probe, from
   * a figure only they hold. Throttles of calls sent before a lower rate came are not cut for again.
   */
  adopt(rps: number | undefined, quota = 0): void {
    // The quota's rate as the runners last measured it (or lowered it): one figure for all.
    if (quota > 0) {
      if (moved(this.bestBound(this.now()), quota)) this.held = 0;
      this.bounds.splice(0, this.bounds.length, { at: this.now(), rps: quota });
    }
    if (rps === this.rate || rps === undefined || rps <= 0) return;
    const capped = this.options.maxRps === undefined ? rps : Math.min(rps, this.options.maxRps);
    const now = this.now();
    // A cut, not two runners' probes written a step apart: throttles of calls sent before a cut say
    // nothing of the rate since, but one that counted every such step would hear none at all.
    if (this.rate === undefined || capped < this.rate * ADOPTED_CUT) {
      if (this.rate !== undefined && this.bestBound(now) !== undefined)
        this.held = Math.min(HELD_MAX, this.held + 1);
      this.adoptedCutAt = now;
      this.lastCutAt = now;
      this.climbFrom = { rate: capped, at: now };
      // Another runner's first cut: the climb back is held under the ceiling here too, or this
      // runner's climb, written as a raise, would lift every runner past it. That runner cut to a
      // tenth of what it saw sent, at least: this one may have sent few calls yet.
      if (this.options.spans === false && this.bestBound(now) === undefined)
        this.throttledSending ??= Math.max(this.burstSending(now), capped / FIRST_CUT);
    }
    this.rate = capped;
    this.step = Math.max(capped * PROBE_SHARE, 0.01);
  }

  /**
   * The quota's rate measured elsewhere (by every runner sharing the limiter, from what the server
   * let through while throttling all along): run at it. The latest figure replaces the earlier
   * ones, as it counts every call and an early one may hold the burst's last calls.
   */
  measured(rps: number): void {
    const now = this.now();
    // Averaged with the figure before it while that is recent: a short window counts other runners'
    // calls a sample early or late, a figure alone is noisy by a few calls.
    const before = this.bestBound(now);
    const figure =
      before !== undefined && now - (this.bounds.at(-1)?.at ?? 0) < SMOOTH_MS ? (before + rps) / 2 : rps;
    if (moved(before, figure)) this.held = 0;
    this.bounds.length = 0;
    this.bounds.push({ at: now, rps: figure });
    rps = figure;
    this.rough = undefined;
    // A little under it: the figure is the server's rate give or take a call or two of a sample's
    // timing, and running a hair over it is a throttle every second or so for the rest of the run.
    this.apply(rps * MEASURED_SHARE, now, rps);
  }

  get currentRate(): number | undefined {
    return this.rate;
  }

  /** How long a successful call takes lately (ms). */
  get latency(): number {
    return this.latencyMs;
  }

  get currentConcurrency(): number {
    return this.concurrency;
  }

  private share(): number {
    return Math.min(1, Math.max(0.01, this.options.share?.() ?? 1));
  }

  /** What a throttle changes at once, before the span it ends can be measured. */
  private throttled(at: number, now: number): void {
    // Two throttles within a second are an overload; a runner sharing a limiter sees only its share
    // of them.
    const overload = this.throttlesSince(at - LONE_MS) >= Math.max(1, Math.round(2 * this.share()));
    // Sharing a limiter, throttles of calls sent before the last cut (this runner's or another's)
    // say nothing of the rate since.
    const since = this.options.spans === false ? this.lastCutAt : this.adoptedCutAt;
    if (!overload || now - this.lastCutAt < COOLDOWN_MS || at < since) return;
    const best = this.bestBound(now);
    if (best === undefined) {
      // Nothing measured yet: the server's burst is spent and calls are being sent far faster than
      // it refills. Cut hard; the search climbs back quickly if this was too far.
      const shared = this.options.spans === false;
      const sending = shared ? this.burstSending(now) : this.recentRate(now) / this.share();
      const current = Math.min(this.rate ?? Number.POSITIVE_INFINITY, sending);
      // Later cuts halve, as alone: a rate several times the quota comes down in two cuts, not
      // four of a second's throttles.
      if (shared) this.throttledSending ??= sending;
      // Throttled again in the search: if every runner's calls met throttles now and then since
      // the bucket ran dry, what it let through in between is the quota's rate, roughly. Run at
      // it: the probe and the throttles under it set it right, where cutting and climbing again
      // would cross the quota every second and never hold throttles long enough to measure it.
      const figure = shared && this.rate !== undefined ? this.options.letThrough?.(SEARCH_APART) : undefined;
      if (figure !== undefined) {
        this.bounds.push({ at: now, rps: figure });
        this.cut(figure * MEASURED_SHARE, now, figure);
        return;
      }
      const factor = this.rate === undefined ? FIRST_CUT : 0.5;
      this.cut(Math.max(current * factor, 0.1), now);
    } else if (this.options.spans === false) {
      // Sharing a limiter. A probe past the measured rate: back to just under it. Throttled under
      // it (at the hair it runs under it, once: a call that met the bucket a moment early): the
      // figure is high (the first samples of a dry bucket still count calls sent before it ran
      // dry, and a figure is read only while throttles come in sample after sample, so one a little
      // high would otherwise stand for the rest of the run), so lower it a little, for every runner.
      // What every runner was let through between throttles seconds apart is the better figure
      // when there is one: a streak's figure a few percent high leaves the rate a hair over the
      // quota, where a probe passes the figure before the next throttle comes, for good.
      const rate = this.rate ?? 0;
      // A probe that went well past the figure before it met a throttle: the figure was low (read
      // while the rate was being cut, the calls let through were fewer than the bucket refilled).
      // The quota is between the two, not where the throttle came: the bucket that filled while
      // the rate was low lets a probe run past the quota for seconds. At their geometric mean (a
      // probe that ran to twice the figure sets it 41% higher, not 50%): over the quota, the
      // throttles go on and bring it down; under it, the next probe closes the rest.
      const figure =
        this.options.letThrough?.(PACED_APART) ?? (rate > best * FAR_PAST ? Math.sqrt(best * rate) : best);
      if (rate > figure) this.underFigure = 0;
      if (moved(best, figure)) this.held = 0;
      if (rate > figure || (rate > figure * MEASURED_SHARE && this.underFigure++ === 0)) {
        this.held = Math.min(HELD_MAX, this.held + 1);
        this.bounds.splice(0, this.bounds.length, { at: now, rps: figure });
        this.cut(figure * MEASURED_SHARE, now, figure);
      } else {
        // Throttles that keep coming under it: the figure is well over the quota (read across a
        // bucket that refilled while the rate was cut, it can be half again the quota), and 3% a
        // cut takes seconds of throttles to come down. Down by the share of calls let through.
        const lower =
          this.throttlesSince(now - LONE_MS) >= UNDER_THROTTLES
            ? Math.max(DEEPEST_LOWER, Math.min(LOWER, this.acceptance(now)))
            : LOWER;
        this.underFigure = 0;
        this.held = 0;
        this.bounds.splice(0, this.bounds.length, { at: now, rps: figure * lower });
        this.cut(figure * lower * MEASURED_SHARE, now, figure * lower);
      }
    } else if ((this.rate ?? 0) <= best && this.throttlesSince(now - LONE_MS) >= STALE_THROTTLES) {
      // Throttled again and again at the measured rate: the quota is lower now. Start over from
      // the share of calls it accepted.
      this.bounds.length = 0;
      this.rough = undefined;
      this.measureFrom = now;
      this.cut(Math.max(best * Math.min(0.5, this.acceptance(now)), 0.1), now);
    } else if ((this.rate ?? 0) > best) {
      // A probe went past the quota: back to what was measured.
      this.cut(best, now);
    }
  }

  private throttlesSince(from: number): number {
    let n = 0;
    for (let i = this.log.length - 1; i >= 0; i--) {
      const d = this.log[i];
      if (!d || d.at < from) break;
      if (d.outcome === 'throttle') n++;
    }
    return n;
  }

  /** Share of the calls dispatched in the last second, and finished, that were not throttled. */
  private acceptance(now: number): number {
    let ok = 0;
    let throttled = 0;
    for (let i = this.log.length - 1; i >= 0; i--) {
      const d = this.log[i];
      if (!d || d.at < now - LONE_MS) break;
      if (d.outcome === 'ok') ok++;
      else if (d.outcome === 'throttle') throttled++;
    }
    return ok + throttled === 0 ? 1 : ok / (ok + throttled);
  }

  /** Measures the spans ending at every throttle all of whose earlier calls have finished. */
  private resolve(now: number): void {
    const firstPending = this.log[this.pendingFrom]?.at ?? Number.POSITIVE_INFINITY;
    let measured = false;
    while (this.unresolved.length > 0 && (this.unresolved[0]?.at ?? 0) < firstPending) {
      const end = this.unresolved.shift();
      if (end && this.measure(end, now)) measured = true;
    }
    if (!measured) return;
    const best = this.bestBound(now);
    const rate = best ?? this.rough;
    // A measurement sets the rate: up after a search or a loose first figure, down after a probe.
    if (rate !== undefined && (best !== undefined || this.rate === undefined || rate < this.rate))
      this.apply(rate, now);
  }

  /**
   * The spans from each earlier throttle to `end`: the calls let through in a span, one less (the
   * bucket may have held part of a call when the span began), per second. Walks back once from
   * `end`, counting successes, and reads a span at every throttle it passes. Keeps the best.
   */
  private measure(end: Dispatch, now: number): boolean {
    const index = this.log.lastIndexOf(end);
    if (index < 0) return false;
    const share = this.share();
    let ok = 0;
    let best: number | undefined;
    let rough: number | undefined;
    for (let i = index - 1; i >= 0; i--) {
      const d = this.log[i];
      if (!d || end.at - d.at > MEMORY_MS || d.at < this.measureFrom) break;
      if (d.outcome === 'ok') ok++;
      if (d.outcome !== 'throttle' || d.at >= end.at) continue;
      const span = end.at - d.at;
      if (span < ROUGH_SPAN_MS || ok < ROUGH_CALLS) continue;
      // A token quota is not empty after a throttle the way a request quota is: calls in flight
      // give back what they reserved beyond what they count (or take more, with output burndown)
      // as they end, so each call in flight at either end may have let one more call through.
      const given = d.tokens || end.tokens ? this.inFlight(i) + this.inFlight(index) : 0;
      if (span >= MIN_SPAN_MS && ok - given >= MIN_CALLS) {
        const rps = ((ok - given - 1) * 1000) / span / share;
        if (best === undefined || rps > best) best = rps;
      } else if (ok - given >= ROUGH_CALLS) {
        const rps = ((ok - given) * 1000) / span / share;
        if (rough === undefined || rps > rough) rough = rps;
      }
    }
    if (best !== undefined) this.bounds.push({ at: now, rps: best });
    else if (rough !== undefined && this.bestBound(now) === undefined) this.rough = rough;
    return best !== undefined || rough !== undefined;
  }

  /**
   * Calls sent before the call at `index` that were still in flight when it was sent. At most
   * maxConcurrency calls are in flight at once, so looking that far back (twice, for calls of
   * retries interleaved) is enough.
   */
  private inFlight(index: number): number {
    const at = this.log[index]?.at ?? 0;
    let n = 0;
    const from = Math.max(0, index - 2 * this.options.maxConcurrency);
    for (let i = index - 1; i >= from; i--) {
      const d = this.log[i];
      if (d && (d.end === undefined || d.end > at)) n++;
    }
    return n;
  }

  private bestBound(now: number): number | undefined {
    let best: number | undefined;
    for (const b of this.bounds)
      if (now - b.at <= MEMORY_MS && (best === undefined || b.rps > best)) best = b.rps;
    return best;
  }

  /**
   * Calls per second dispatched over the last second, or since the first call when that is sooner
   * (the first throttles of a run can come within a second of its start).
   */
  private sendingSinceStart(now: number): number {
    const first = this.log[0]?.at ?? now;
    const span = Math.min(1000, Math.max(now - first, STEP_MS));
    return Math.max((this.sentSince(now - span) * 1000) / span, 1);
  }

  /**
   * Sharing a limiter: the rate every runner was sending at as the first throttles came. They can
   * come within a second of the start (a small bucket, three runners), so it is read from the calls
   * since then, not over a second, and from every runner's calls when those say more (this
   * runner's share is not known yet then).
   */
  private burstSending(now: number): number {
    return Math.max(this.sendingSinceStart(now) / this.share(), this.options.sending?.() ?? 0);
  }

  /** Calls per second dispatched over the last second. */
  private recentRate(now: number): number {
    return Math.max(this.sentSince(now - 1000), 1);
  }

  /** Calls dispatched at or after `from`. */
  private sentSince(from: number): number {
    let n = 0;
    for (let i = this.log.length - 1; i >= 0 && (this.log[i]?.at ?? 0) >= from; i--) n++;
    return n;
  }

  private cut(rate: number, now: number, quota?: number): void {
    this.lastCutAt = now;
    this.apply(rate, now, quota);
    if (this.rate !== undefined) this.climbFrom = { rate: this.rate, at: now };
  }

  private apply(rate: number, now: number, quota?: number): void {
    const capped = this.options.maxRps === undefined ? rate : Math.min(rate, this.options.maxRps);
    const decreased = this.rate === undefined || capped < this.rate;
    // The first rate, from a figure the other runners' throttles gave: the probe counts its quiet
    // from here, not from a throttle this runner never met.
    if (this.rate === undefined) this.lastCutAt = Math.max(this.lastCutAt, now);
    this.rate = capped;
    this.step = Math.max(capped * PROBE_SHARE, 0.01);
    this.lastIncreaseAt = now;
    if (quota === undefined) this.target.setRate(capped);
    else this.target.setRate(capped, quota);
    if (decreased) {
      // Concurrency follows, but keeps enough calls in flight to sustain the new rate.
      const needed = Math.ceil((capped * this.share() * Math.max(this.latencyMs, 1)) / 1000) + 1;
      this.setConcurrency(Math.max(needed, Math.floor(this.concurrency * 0.7)));
    }
  }

  /**
   * Raises rate and concurrency for the time passed without throttles: one step per STEP_MS, so a
   * slow run (few successes to trigger this) climbs as fast in time as a quick one. Searching (no
   * measurement yet) it climbs multiplicatively; paced, it probes additively above the measurement.
   */
  private maybeIncrease(now: number): void {
    if (now - this.lastThrottleAt < STEP_MS || now - this.lastIncreaseAt < STEP_MS) return;
    const steps = Math.min(40, Math.floor((now - this.lastIncreaseAt) / STEP_MS));
    // The time short of a whole step counts toward the next: successes come when they come, and a
    // slow run (a few a second) would otherwise climb at half the pace or less.
    this.lastIncreaseAt = steps === 40 ? now : this.lastIncreaseAt + steps * STEP_MS;
    if (this.concurrency < this.options.maxConcurrency) this.setConcurrency(this.concurrency + steps);
    if (this.rate === undefined) return;
    const searching = this.bestBound(now) === undefined;
    // Sharing a limiter, a probe that calls do not follow (too few in flight, a busy machine) would
    // only pile up as a rate far past the quota, which the calls meet all at once once they can.
    if (!searching && this.options.spans === false && this.recentRate(now) / this.share() < this.rate * 0.9)
      return;
    // The probe quickens the longer it meets no throttle: a measurement from below may be loose
    // (a token quota's is), and a quota that grew (a runner sharing it left) is found in seconds.
    // Sharing a limiter, the quiet is everyone's: since the last cut, whichever runner made it (a
    // runner seeing none of the throttles would otherwise probe ever faster past a quota the
    // others keep meeting).
    const since =
      this.options.spans === false ? Math.max(this.lastThrottleAt, this.lastCutAt) : this.lastThrottleAt;
    // Sharing a limiter, a probe that met the quota where the figure said, again and again, waits
    // longer before the next: each costs every runner a throttle or two, and says nothing new.
    const hold = searching ? 0 : HOLD_MS * (2 ** this.held - 1);
    if (now - since < hold) return;
    const quiet = Math.max(0, now - since - hold) / 1000;
    const late = Math.max(0, quiet - 1);
    // Runners sharing one rate each climb by their share of a step: together, one controller's climb.
    const share = this.share();
    let next = this.rate;
    // Sharing a limiter, the search climbs by SEARCH_GROWTH a step from the last cut, reckoned in
    // time, and the rate is only ever raised by it: every runner climbs the same curve and writes
    // it, and a runner that has not heard of the others' steps (a few calls a second each, after a
    // deep cut) no longer undoes them; climbing step by step it did, and took seconds to get back.
    const curve = searching && this.options.spans === false ? this.climbFrom : undefined;
    if (curve) next = Math.max(next, curve.rate * SEARCH_GROWTH ** ((now - curve.at) / STEP_MS));
    else
      for (let i = 0; i < steps; i++)
        next = searching
          ? next * SEARCH_GROWTH ** share
          : next + share * this.step * (1 + quiet / 2 + (late * late) / 2);
    // A measurement ends the search: a later one (the quota fell) starts from its own throttles.
    if (!searching) this.throttledSending = undefined;
    else if (this.throttledSending !== undefined) {
      const ceiling = this.throttledSending * SEARCH_CEILING;
      if (this.rate < ceiling) this.atCeilingSince = undefined;
      else this.atCeilingSince ??= now;
      // Quiet at the ceiling that long: the quota is above it; the search goes on unbounded.
      if (this.atCeilingSince !== undefined && now - this.atCeilingSince >= CEILING_QUIET_MS)
        this.throttledSending = undefined;
      else {
        const held = Math.max(this.rate, Math.min(next, ceiling));
        // Held at the ceiling, the curve starts over from it: lifted, the climb goes on from there.
        if (curve && held < next) this.climbFrom = { rate: held, at: now };
        next = held;
      }
    }
    if (!searching && this.options.spans === false) next = this.probeCap(next, now);
    this.rate = this.options.maxRps === undefined ? next : Math.min(next, this.options.maxRps);
    this.target.setRate(this.rate, undefined, true);
  }

  /**
   * Sharing a limiter: a probe goes no further than PROBE_CAP times the figure until it has run
   * there for CEILING_QUIET_MS without a throttle, which makes that the figure (it was low, or the
   * quota grew). A probe quickening over a bucket that refilled while the rate was under the quota
   * would otherwise meet its first throttle at several times the quota.
   */
  private probeCap(next: number, now: number): number {
    const best = this.bestBound(now);
    if (best === undefined || next < best * PROBE_CAP) {
      this.atProbeCapSince = undefined;
      return next;
    }
    const cap = best * PROBE_CAP;
    this.atProbeCapSince ??= now;
    if (now - this.atProbeCapSince >= CEILING_QUIET_MS) {
      this.atProbeCapSince = undefined;
      this.bounds.splice(0, this.bounds.length, { at: now, rps: cap });
    }
    return Math.max(this.rate ?? 0, cap);
  }

  private setConcurrency(n: number): void {
    const bounded = Math.min(this.options.maxConcurrency, Math.max(1, n));
    if (bounded === this.concurrency) return;
    this.concurrency = bounded;
    this.target.setConcurrency(bounded);
  }

  /** Forgets what no measurement can use any more (never a call still in flight). */
  private prune(now: number): void {
    const horizon = now - MEMORY_MS;
    while (this.bounds.length > 0 && (this.bounds[0]?.at ?? 0) < horizon) this.bounds.shift();
    let drop = 0;
    const keep = Math.max(0, this.log.length - LOG_LIMIT);
    while (
      drop < this.pendingFrom &&
      ((this.log[drop]?.at ?? 0) < horizon || drop < keep) &&
      this.log[drop]?.outcome !== 'pending'
    )
      drop++;
    if (drop > 1024 || drop === this.log.length) {
      this.log.splice(0, drop);
      this.pendingFrom -= drop;
    }
  }
}

/** A figure for the quota that is not within MOVED of the one before (or the first). */
function moved(before: number | undefined, figure: number): boolean {
  return before === undefined || Math.abs(figure / before - 1) > MOVED;
}
