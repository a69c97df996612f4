/**
 * What runners sharing a limiter read from the counts they all add to in Redis a few times a
 * second (shared.ts): each runner's share of the calls, and the quota's rate.
 *
 * The quota's rate: while the server throttles in every sample, its bucket is dry all along, so
 * the calls it lets through (every runner's, not one's share of them scaled up) come at the rate
 * it refills, whatever its size. The first sample of such a streak is left out: calls sent before
 * the bucket ran dry were still being let through in it, and so is every sample that began within
 * a call's latency of that first one's end: calls sent before the bucket ran dry end (and are
 * counted ok) up to a latency later, and counting them made the first figure half again the
 * quota, or twice it. Nothing here knows about Redis or time.
 */

/** Samples kept: the share, and the longest window the quota's rate is read over. */
const SAMPLES = 8;
/** Samples kept for `letThrough`: the longer its window, the less a sample's part at either end counts. */
const LONG_SAMPLES = 40;
/**
 * `letThrough` counts at least this many calls: a sample's part at either end is a call or two
 * (within 10% of this), where at a quota of a few calls a second two samples hold five or so.
 */
const LET_THROUGH_CALLS = 20;
/** At most this many samples (a second) between two throttled ones `letThrough` reads across. */
const GAP_SAMPLES = 4;
/** `sending` reads no sample shorter than this (the last one, taken as a runner closes). */
const MIN_SAMPLE_MS = 100;
/** Fewer calls than this in the samples kept: the share is one over the runners seen instead. */
const FEW_CALLS = 10;
/** The quota's rate is read from at least this many samples (after the first) with throttles in each. */
const EMPTY_SAMPLES = 2;

/** Every runner's counts so far, as Redis sums them. */
export interface SharedCounts {
  calls: number;
  ok: number;
  throttled: number;
  /** Runners seen lately. */
  runners: number;
}

interface Sample {
  own: number;
  calls: number;
  ok: number;
  throttled: number;
  ms: number;
  /** When it began. */
  from: number;
}

export class QuotaSamples {
  private last: (SharedCounts & { at: number }) | undefined;
  private readonly samples: Sample[] = [];
  /** This runner's share of the calls every runner on the key started lately (1 when alone). */
  share = 1;

  /** When the first sample of the current streak of throttled samples ended. */
  private streakFrom: number | undefined;
  /** When the first throttled sample of the run ended: the burst spent. */
  private dryFrom: number | undefined;

  /**
   * Takes one sample: `own` calls this runner started since the last, the totals after adding
   * them, at `at` ms; `latencyMs`, how long a call takes lately. Returns the quota's rate (calls
   * per second, all runners) when it shows.
   */
  add(own: number, counts: SharedCounts, at: number, latencyMs = 0): number | undefined {
    const last = this.last;
    this.last = { ...counts, at };
    const alone = 1 / Math.max(1, counts.runners);
    if (!last) {
      this.share = alone;
      return undefined;
    }
    this.samples.push({
      own,
      calls: counts.calls - last.calls,
      ok: counts.ok - last.ok,
      throttled: counts.throttled - last.throttled,
      ms: at - last.at,
      from: last.at,
    });
    if (this.samples.length > LONG_SAMPLES) this.samples.shift();
    const recent = this.samples.slice(-SAMPLES);
    let mine = 0;
    let all = 0;
    for (const s of recent) {
      mine += s.own;
      all += s.calls;
    }
    this.share = all >= FEW_CALLS && mine > 0 ? Math.min(1, mine / all) : alone;
    if (counts.throttled - last.throttled <= 0) {
      this.streakFrom = undefined;
      return undefined;
    }
    this.streakFrom ??= at;
    this.dryFrom ??= at;
    const cleanFrom = this.streakFrom + latencyMs;
    let letThrough = 0;
    let ms = 0;
    let clean = 0;
    for (let i = recent.length - 1; i >= 0; i--) {
      const s = recent[i];
      if (!s || s.from < cleanFrom) break;
      letThrough += s.ok;
      ms += s.ms;
      clean++;
    }
    if (clean < EMPTY_SAMPLES) return undefined;
    return letThrough > 0 && ms > 0 ? (letThrough * 1000) / ms : undefined;
  }

  /**
   * The most calls every runner started per second in one sample kept (of at least MIN_SAMPLE_MS):
   * the rate their burst was sent at, which one runner's calls scaled by its share misread while
   * runners are still starting and the share is not known yet.
   */
  sending(): number | undefined {
    let most: number | undefined;
    for (const s of this.samples)
      if (s.ms >= MIN_SAMPLE_MS && (most === undefined || (s.calls * 1000) / s.ms > most))
        most = (s.calls * 1000) / s.ms;
    return most;
  }

  /**
   * The calls every runner was let through per second from the first to the last throttled sample
   * kept, at least `apart` samples and LET_THROUGH_CALLS calls apart,
   * with never more than GAP_SAMPLES samples between one throttled sample and the next; or
   * undefined. Throttles now and then rather than in every sample: the bucket was empty at each,
   * so what it let through in between is what it refilled, give or take the part of a sample at
   * either end (the longer the window, the less that counts), unless it filled up between two and
   * let refills go to waste: a second without throttles is less than any bucket's burst. It is
   * there while a search still crosses the quota and falls back under it, and while a rate a hair
   * over the quota meets a throttle every second or two.
   */
  letThrough(latencyMs = 0, apart = 2): number | undefined {
    if (this.dryFrom === undefined) return undefined;
    const cleanFrom = this.dryFrom + latencyMs;
    const window = this.samples;
    const throttled = (i: number) => {
      const s = window[i];
      return s !== undefined && s.from >= cleanFrom && s.throttled > 0;
    };
    let last = window.length - 1;
    while (last >= 0 && !throttled(last)) last--;
    if (last < 0) return undefined;
    // Back from the last throttled sample, to the earliest reached without a longer gap.
    let first = last;
    for (let i = last - 1; i >= 0 && first - i <= GAP_SAMPLES; i--) if (throttled(i)) first = i;
    if (last - first < apart) return undefined;
    let ok = 0;
    let ms = 0;
    for (const s of window.slice(first + 1, last + 1)) {
      ok += s.ok;
      ms += s.ms;
    }
    return ok >= LET_THROUGH_CALLS && ms > 0 ? (ok * 1000) / ms : undefined;
  }
}
