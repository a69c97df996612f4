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
    if (this.samples.length > SAMPLES) this.samples.shift();
    let mine = 0;
    let all = 0;
    for (const s of this.samples) {
      mine += s.own;
      all += s.calls;
    }
    this.share = all >= FEW_CALLS && mine > 0 ? Math.min(1, mine / all) : alone;
    if (counts.throttled - last.throttled <= 0) {
      this.streakFrom = undefined;
      return undefined;
    }
    this.streakFrom ??= at;
    const cleanFrom = this.streakFrom + latencyMs;
    let letThrough = 0;
    let ms = 0;
    let clean = 0;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      const s = this.samples[i];
      if (!s || s.from < cleanFrom) break;
      letThrough += s.ok;
      ms += s.ms;
      clean++;
    }
    if (clean < EMPTY_SAMPLES) return undefined;
    return letThrough > 0 && ms > 0 ? (letThrough * 1000) / ms : undefined;
  }
}
