/**
 * Runners sharing a limiter, not told the quota: the quota's rate read from every runner's counts
 * (QuotaSamples), and the adaptive controller in its shared mode (spans off), with a fake clock.
 * Counting only: rates set, cuts made.
 */
import { describe, expect, it } from 'vitest';
import { AdaptiveController } from '../../src/pool/adaptive.js';
import { QuotaSamples } from '../../src/pool/quota-samples.js';

describe('QuotaSamples: the quota read from what every runner was let through', () => {
  /** Feeds samples of 250 ms: [own calls, every runner's ok, every runner's throttled] each. */
  function feed(q: QuotaSamples, samples: Array<[number, number, number]>, runners = 3, latencyMs = 0) {
    const totals = { calls: 0, ok: 0, throttled: 0, runners };
    const figures: Array<number | undefined> = [q.add(0, totals, 0)];
    samples.forEach(([own, ok, throttled], i) => {
      totals.calls += ok + throttled;
      totals.ok += ok;
      totals.throttled += throttled;
      figures.push(q.add(own, { ...totals }, (i + 1) * 250, latencyMs));
    });
    return figures;
  }

  it('reads the rate from a streak of throttled samples, leaving out the first (calls sent before it ran dry)', () => {
    const q = new QuotaSamples();
    // A burst (no throttles), then the bucket runs dry: 40 let through in the first throttled
    // sample (the burst's calls still in flight), then 12 or 13 in each (50 a second).
    const figures = feed(q, [
      [30, 90, 0],
      [14, 40, 5],
      [6, 12, 6],
      [6, 13, 7],
      [6, 12, 5],
    ]);
    expect(figures.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    // (12 + 13) / 0.5 s, then (12 + 13 + 12) / 0.75 s: never the first throttled sample's 40.
    expect(figures[4]).toBeCloseTo(50, 5);
    expect(figures[5]).toBeCloseTo(49.33, 1);
  });

  it('leaves out every sample that began within a call’s latency of the bucket running dry', () => {
    const q = new QuotaSamples();
    // 100 ms calls: the burst's last calls still end, and are let through, in the second throttled
    // sample (30 of its 42); from the third on, only what the bucket refills (12 or 13).
    const figures = feed(
      q,
      [
        [30, 90, 0],
        [14, 40, 5],
        [6, 42, 6],
        [6, 12, 7],
        [6, 13, 5],
        [6, 12, 6],
      ],
      3,
      100,
    );
    // Without the latency the second throttled sample would count: (42 + 12) / 0.5 s = 108.
    expect(figures.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(figures[5]).toBeCloseTo(50, 5);
    expect(figures[6]).toBeCloseTo(49.33, 1);
    // The same samples read without a latency: the spill is counted.
    expect(
      feed(new QuotaSamples(), [
        [30, 90, 0],
        [14, 40, 5],
        [6, 42, 6],
        [6, 12, 7],
      ])[4],
    ).toBeCloseTo(108, 5);
  });

  it('gives no figure once a sample passes without throttles', () => {
    const q = new QuotaSamples();
    const figures = feed(q, [
      [5, 12, 3],
      [5, 12, 3],
      [5, 12, 3],
      [5, 12, 0],
      [5, 12, 2],
    ]);
    expect(figures[3]).toBeCloseTo(48, 5);
    expect(figures[4]).toBeUndefined();
    expect(figures[5]).toBeUndefined();
  });

  it('reads what was let through between throttles now and then, from the first throttled sample to the last', () => {
    const q = new QuotaSamples();
    // The burst, then throttles in one sample of every three or four: the streak rule has no
    // figure, but the bucket was empty at each throttle.
    feed(q, [
      [30, 90, 0],
      [14, 40, 5],
      [6, 13, 0],
      [6, 12, 1],
      [6, 13, 0],
      [6, 12, 0],
      [6, 13, 1],
      [6, 14, 0],
    ]);
    // From the first throttled sample after the one the bucket ran dry in (750-1000 ms) to the
    // last (1500-1750 ms): (13 + 12 + 13) / 0.75 s. The burst's samples and the one after the
    // last throttle are out.
    expect(q.letThrough(0, 2)).toBeCloseTo(50.67, 1);
    // Asked for throttles at least four samples apart: these are three.
    expect(q.letThrough(0, 4)).toBeUndefined();
    // The bucket ran dry by 500 ms. Calls of 200 ms: a sample that began at 750 ms counts none of
    // the burst's. Calls of 300 ms may still end in it: only the last throttled sample is clean.
    expect(q.letThrough(200, 2)).toBeCloseTo(50.67, 1);
    expect(q.letThrough(300, 2)).toBeUndefined();
  });

  it('reads let-through only across gaps of at most a second between throttles (a bucket that filled let refills go)', () => {
    const q = new QuotaSamples();
    // Throttled, then 1.25 s without a throttle at half the rate (the bucket may have filled up),
    // then throttles two samples apart.
    feed(q, [
      [30, 90, 0],
      [14, 40, 5],
      [6, 13, 0],
      [6, 12, 1],
      [3, 6, 0],
      [3, 6, 0],
      [3, 6, 0],
      [3, 6, 0],
      [3, 6, 0],
      [6, 13, 1],
      [6, 12, 0],
      [6, 13, 1],
    ]);
    // Only from the sample ending at 2500 ms to the one ending at 3000: (12 + 13) / 0.5 s.
    expect(q.letThrough(0, 2)).toBeCloseTo(50, 5);
    // Read across the gap it would be (6 x 5 + 13 + 12 + 13) / 2 s = 34.
  });

  it('reads no let-through figure from fewer than 20 calls: a call at either end would be a tenth of it', () => {
    const q = new QuotaSamples();
    // 10 calls a second: two or three a sample.
    feed(q, [
      [30, 90, 0],
      [14, 40, 5],
      [1, 3, 1],
      [1, 2, 0],
      [1, 3, 0],
      [1, 2, 1],
    ]);
    expect(q.letThrough(0, 2)).toBeUndefined();
  });

  it('has no let-through figure before the first throttle', () => {
    const q = new QuotaSamples();
    feed(q, [
      [30, 90, 0],
      [30, 90, 0],
      [30, 90, 0],
      [30, 90, 0],
    ]);
    expect(q.letThrough(0, 2)).toBeUndefined();
  });

  it('says the most calls every runner started per second in one sample, leaving out a short last one', () => {
    const q = new QuotaSamples();
    expect(q.sending()).toBeUndefined();
    // 90, then 150 calls in a quarter second (600 a second): the burst; then 20 when throttled.
    feed(q, [
      [30, 90, 0],
      [50, 100, 50],
      [6, 12, 8],
    ]);
    expect(q.sending()).toBeCloseTo(600, 5);
    // A runner closing samples once more a few ms later: 5 calls in 10 ms is no rate to read.
    q.add(0, { calls: 265, ok: 205, throttled: 60, runners: 3 }, 760);
    expect(q.sending()).toBeCloseTo(600, 5);
  });

  it('shares: one over the runners seen before there are calls, then this runner’s part of the calls', () => {
    const q = new QuotaSamples();
    q.add(0, { calls: 0, ok: 0, throttled: 0, runners: 3 }, 0);
    expect(q.share).toBeCloseTo(1 / 3, 5);
    q.add(2, { calls: 4, ok: 4, throttled: 0, runners: 3 }, 250);
    // Four calls are too few to read a share from.
    expect(q.share).toBeCloseTo(1 / 3, 5);
    q.add(10, { calls: 44, ok: 44, throttled: 0, runners: 3 }, 500);
    expect(q.share).toBeCloseTo(12 / 44, 5);
  });
});

describe('the adaptive controller sharing a limiter (spans off)', () => {
  function controller(share: number, letThrough?: number) {
    let now = 0;
    const rates: Array<{ rps: number | undefined; quota: number | undefined }> = [];
    const asked: number[] = [];
    const c = new AdaptiveController(
      { setRate: (rps, quota) => rates.push({ rps, quota }), setConcurrency: () => {} },
      {
        maxConcurrency: 20,
        share: () => share,
        spans: false,
        now: () => now,
        letThrough: (apart) => {
          asked.push(apart);
          return letThrough;
        },
      },
    );
    const at = (ms: number) => (now = ms);
    let t = 0;
    /** This runner's calls every 10 ms, all ok, from where the last left off until `until`; the rate then. */
    const runUntil = (until: number) => {
      for (; t < until; t += 10) {
        at(t);
        c.done(c.dispatched(), 'ok');
      }
      return c.currentRate ?? 0;
    };
    return { c, rates, asked, at, runUntil };
  }

  it('runs a little under a measured quota, and averages a second figure with the first', () => {
    const { c, rates, at } = controller(1 / 3);
    at(1000);
    c.measured(50);
    expect(c.currentRate).toBeCloseTo(49, 5);
    // The figure goes to Redis with the rate, for the other runners.
    expect(rates.at(-1)?.quota).toBe(50);
    at(1250);
    c.measured(54);
    expect(c.currentRate).toBeCloseTo(0.98 * 52, 5);
  });

  it('searches back up to half the rate the first throttles came at, and past it only after 2 s there without throttles', () => {
    const { c, at } = controller(1);
    // 100 calls a second for a second, all let through; then two throttles: cut to a tenth.
    for (let i = 0; i < 100; i++) {
      at(i * 10);
      c.done(c.dispatched(), 'ok');
    }
    at(1000);
    c.done(c.dispatched(), 'throttle');
    c.done(c.dispatched(), 'throttle');
    expect(c.currentRate).toBeCloseTo(0.1 * 102, 0);
    const rateAt: number[] = [];
    for (let t = 1010; t <= 7000; t += 10) {
      at(t);
      c.done(c.dispatched(), 'ok');
      if (t % 500 === 0) rateAt[t] = c.currentRate ?? 0;
    }
    // Climbing by 1.3 a quarter second, it would pass 100 a second by 3 s.
    expect(rateAt[3000]).toBeCloseTo(51, 0);
    expect(rateAt[4500]).toBeCloseTo(51, 0);
    // It reached the ceiling at 2.5 s; quiet there for 2 s, it climbs on.
    expect(rateAt[5500]).toBeGreaterThan(60);
    expect(rateAt[7000]).toBeGreaterThan(rateAt[5500] ?? 0);
  });

  it('cuts first from the rate sent since the start when the first throttles come within a second of it', () => {
    const { c, at } = controller(1 / 3);
    // 100 calls a second for a quarter second (the other two runners as many): a small bucket spent.
    for (let i = 0; i < 25; i++) {
      at(i * 10);
      c.done(c.dispatched(), 'ok');
    }
    at(250);
    c.done(c.dispatched(), 'throttle');
    c.done(c.dispatched(), 'throttle');
    // At the first throttle (a third of the two a second that are an overload): a tenth of the 26
    // calls in 250 ms, for all three; not of 26 counted over a whole second.
    expect(c.currentRate).toBeCloseTo(0.1 * 104 * 3, 5);
  });

  it('holds the climb under the ceiling after another runner’s first cut, as after its own', () => {
    let now = 0;
    const rates: number[] = [];
    const c = new AdaptiveController(
      { setRate: (rps) => rps !== undefined && rates.push(rps), setConcurrency: () => {} },
      { maxConcurrency: 20, share: () => 1 / 3, spans: false, now: () => now, sending: () => 240 },
    );
    // This runner's calls let through all along (the burst); another runner met the throttles.
    for (let t = 0; t < 1000; t += 10) {
      now = t;
      c.done(c.dispatched(), 'ok');
    }
    now = 1000;
    c.adopt(30);
    for (let t = 1010; t <= 4000; t += 10) {
      now = t;
      c.done(c.dispatched(), 'ok');
    }
    // Half of the 300 a second every runner was sending (100 of its own, over its third): no more.
    expect(Math.max(...rates)).toBeCloseTo(150, 5);
  });

  it('searching, climbs by 1.3 a quarter second from the last cut, reckoned in time, written as a raise', () => {
    let now = 0;
    const writes: Array<{ rps: number | undefined; raise: boolean | undefined }> = [];
    const c = new AdaptiveController(
      { setRate: (rps, _quota, raise) => writes.push({ rps, raise }), setConcurrency: () => {} },
      { maxConcurrency: 20, share: () => 1 / 3, spans: false, now: () => now },
    );
    // Another runner's cut to 10 a second, nothing measured yet.
    now = 1000;
    c.adopt(10);
    // This runner's calls are few (a third of 10 a second): one ok call at 2 s. The climb is the
    // second since the cut, 1.3^4, not one step of a third of it, as counting steps gave.
    now = 2000;
    const d = c.dispatched();
    now = 2010;
    c.done(d, 'ok');
    expect(c.currentRate).toBeCloseTo(10 * 1.3 ** (2010 / 250 - 4), 5);
    expect(writes.at(-1)?.raise).toBe(true);
  });

  it('takes the rate and quota another runner set, and does not cut again for calls sent before', () => {
    const { c, rates, at } = controller(1 / 3);
    at(0);
    const before = [c.dispatched(), c.dispatched(), c.dispatched()];
    at(100);
    // Another runner's probe: 45 a second, over the quota of 42 they measured.
    c.adopt(45, 42);
    expect(c.currentRate).toBe(45);
    const set = rates.length;
    // Throttles of calls sent before the other runner's change, back after the cooldown: nothing new.
    at(400);
    for (const d of before) c.done(d, 'throttle');
    expect(rates.length).toBe(set);
    expect(c.currentRate).toBe(45);
    // A call sent after it, throttled (one of this runner's is a third of every runner's):
    // past 0.98 of the shared quota, so back to it.
    at(500);
    const after = c.dispatched();
    at(510);
    c.done(after, 'throttle');
    expect(c.currentRate).toBeCloseTo(0.98 * 42, 5);
  });

  it('lowers the figure a little when throttled on under it', () => {
    const { c, at } = controller(1 / 3);
    at(0);
    c.measured(50);
    at(600);
    const d = c.dispatched();
    at(610);
    c.done(d, 'throttle');
    expect(c.currentRate).toBeCloseTo(0.98 * 0.97 * 50, 5);
  });

  it('throttled again and again under the figure, lowers it by the share of calls let through', () => {
    const { c, at } = controller(1 / 3);
    at(0);
    c.measured(75);
    // This runner's calls, each throttle sent after the cut the one before made, with 4 ok after
    // each (too soon after a cut to probe).
    const call = (ms: number, outcome: 'ok' | 'throttle') => {
      at(ms);
      const d = c.dispatched();
      at(ms + 10);
      c.done(d, outcome);
    };
    for (const from of [600, 900, 1200]) {
      call(from, 'throttle');
      for (let i = 1; i <= 4; i++) call(from + 10 * i, 'ok');
    }
    // 3% a cut twice; at the third within a second, by the 8 of 11 calls let through.
    expect(c.currentRate).toBeCloseTo(0.98 * 0.97 * 0.97 * (8 / 11) * 75, 5);
  });

  it('lowers the figure after a second throttle at the hair under it, not after the first', () => {
    const { c, at } = controller(1 / 3);
    at(0);
    c.measured(50);
    // A probe of 0.5%: over 0.98 of the figure, under the figure.
    c.adopt(49.25, 50);
    at(600);
    const first = c.dispatched();
    at(610);
    c.done(first, 'throttle');
    // A call that met the bucket a moment early: back under the figure, which stands.
    expect(c.currentRate).toBeCloseTo(49, 5);
    c.adopt(49.25, 50);
    at(1000);
    const second = c.dispatched();
    at(1010);
    c.done(second, 'throttle');
    // Again, with no probe past the figure between: the figure is high.
    expect(c.currentRate).toBeCloseTo(0.98 * 0.97 * 50, 5);
  });

  it('a throttle in the paced state takes what every runner was let through between throttles seconds apart as the figure', () => {
    const { c, rates, asked, at } = controller(1 / 3, 20);
    at(0);
    // A streak's figure 4% high; the rate a probe over it.
    c.measured(20.8);
    c.adopt(21, 20.8);
    at(600);
    const d = c.dispatched();
    at(610);
    c.done(d, 'throttle');
    expect(asked).toEqual([8]);
    expect(c.currentRate).toBeCloseTo(0.98 * 20, 5);
    expect(rates.at(-1)?.quota).toBe(20);
  });

  it('a throttle again in the search runs at what every runner was let through since the bucket ran dry', () => {
    const { c, rates, asked, at } = controller(1, 50);
    for (let i = 0; i < 100; i++) {
      at(i * 10);
      c.done(c.dispatched(), 'ok');
    }
    at(1000);
    // The first throttles: nothing let through yet to read, a cut to a tenth.
    c.done(c.dispatched(), 'throttle');
    c.done(c.dispatched(), 'throttle');
    expect(asked).toEqual([]);
    expect(c.currentRate).toBeCloseTo(0.1 * 102, 0);
    for (let t = 1010; t <= 2000; t += 10) {
      at(t);
      c.done(c.dispatched(), 'ok');
    }
    at(2010);
    c.done(c.dispatched(), 'throttle');
    c.done(c.dispatched(), 'throttle');
    expect(asked).toEqual([2]);
    expect(c.currentRate).toBeCloseTo(0.98 * 50, 5);
    expect(rates.at(-1)?.quota).toBe(50);
  });

  it('hears throttles after a rate another runner wrote a probe’s step lower: that is no cut', () => {
    const { c, at } = controller(1 / 3);
    at(0);
    c.measured(50);
    c.adopt(49.4, 50);
    at(100);
    const sent = c.dispatched();
    // Two runners' probes written a step apart: 49.3 after 49.4.
    at(150);
    c.adopt(49.3, 50);
    at(400);
    c.done(sent, 'throttle');
    // Past 0.98 of the figure, the first time: back to it. Had the step been taken for a cut, the
    // throttle of a call sent before it would have been ignored.
    expect(c.currentRate).toBeCloseTo(49, 5);
    // A real cut (2%): a throttle of a call sent before it is ignored.
    c.adopt(49.4, 50);
    at(700);
    const before = c.dispatched();
    at(750);
    c.adopt(48, 50);
    at(1100);
    c.done(before, 'throttle');
    expect(c.currentRate).toBe(48);
  });

  it('probes from the last cut any runner made: quiet is everyone’s', () => {
    const climbAfter = (cutByOther: boolean) => {
      const { c, at } = controller(1);
      at(0);
      c.measured(50);
      for (let t = 10; t <= 4000; t += 10) {
        at(t);
        if (cutByOther && t === 3000) c.adopt(49, 50);
        c.done(c.dispatched(), 'ok');
      }
      return c.currentRate ?? 0;
    };
    // A second after another runner's cut, the probe is a second into its climb: a step of about
    // 1% a second. Without it, four quiet seconds in, it climbs several times that.
    expect(climbAfter(true) - 49).toBeLessThan(1);
    // Paced by a figure the others' throttles gave, never throttled itself: four seconds of
    // probing from when that figure came (not from a throttle it never met, an endless quiet).
    expect(climbAfter(false) - 49).toBeGreaterThan(3);
    expect(climbAfter(false) - 49).toBeLessThan(10);
  });

  it('waits longer before each probe after cuts in a row at one figure; a higher figure starts over', () => {
    const { c, at, runUntil } = controller(1);
    runUntil(1000);
    at(1000);
    c.measured(50);
    // Two cuts another runner made at that figure: the next probe waits 1 + 2 = 3 s.
    at(1100);
    c.adopt(52, 50);
    at(1200);
    c.adopt(49, 50);
    at(1300);
    c.adopt(52, 50);
    at(1400);
    c.adopt(49, 50);
    expect(runUntil(4300)).toBe(49);
    expect(runUntil(5000)).toBeGreaterThan(49);
    // A third cut (the next probe would wait 7 s), then a figure 4% higher: the hold is gone, the
    // probe starts at once.
    at(5000);
    c.adopt(52, 50);
    c.adopt(49, 50);
    runUntil(5100);
    at(5100);
    c.measured(54);
    const after = c.currentRate ?? 0;
    expect(runUntil(5700)).toBeGreaterThan(after);
  });

  it('a throttle met by a probe well past the figure raises the figure to between the two', () => {
    const { c, rates, at } = controller(1 / 3);
    at(0);
    c.measured(30);
    // The probe climbed to 50 a second without a throttle: the figure of 30 was low.
    c.adopt(50, 30);
    at(600);
    const d = c.dispatched();
    at(610);
    c.done(d, 'throttle');
    expect(rates.at(-1)?.quota).toBeCloseTo(Math.sqrt(30 * 50), 5);
    expect(c.currentRate).toBeCloseTo(0.98 * Math.sqrt(30 * 50), 5);
    // Past the figure by less than a tenth: back to 0.98 of the figure as it was.
    const near = controller(1 / 3);
    near.at(0);
    near.c.measured(50);
    near.c.adopt(52, 50);
    near.at(600);
    const e = near.c.dispatched();
    near.at(610);
    near.c.done(e, 'throttle');
    expect(near.c.currentRate).toBeCloseTo(49, 5);
  });

  it('probes to twice the figure at most, and past it only after 2 s there without a throttle', () => {
    const { c, at, runUntil } = controller(1);
    at(0);
    c.measured(10);
    // This runner's calls all let through for 14 s: the probe quickens with the quiet.
    const rateAt = new Map<number, number>();
    for (let t = 500; t <= 14_000; t += 500) rateAt.set(t, runUntil(t));
    const reached = [...rateAt].find(([, rate]) => rate >= 20)?.[0] ?? Number.NaN;
    expect(reached).toBeGreaterThan(5000);
    // Held at 20, the figure's double, for 2 s; then 20 is the figure and the probe goes on.
    for (let t = reached; t < reached + 2000; t += 500) expect(rateAt.get(t)).toBeCloseTo(20, 5);
    expect(rateAt.get(reached + 2500)).toBeGreaterThan(20);
    expect(Math.max(...rateAt.values())).toBeLessThanOrEqual(40);
  });

  it('a throttle whose let-through figure moved more than 2% ends the wait before the next probe', () => {
    const holdAfter = (letThrough: number) => {
      // A third of the calls: one throttle of this runner's is an overload.
      const { c, at, runUntil } = controller(1 / 3, letThrough);
      runUntil(1000);
      at(1000);
      c.measured(50);
      // Two cuts at that figure (the next probe would wait 3 s)...
      c.adopt(52, 50);
      c.adopt(49, 50);
      c.adopt(52, 50);
      c.adopt(49, 50);
      // ...then this runner's own throttle, a probe past the figure let-through gives (after the
      // cooldown since those cuts).
      at(1300);
      const d = c.dispatched();
      at(1310);
      c.adopt(55, 50);
      c.done(d, 'throttle');
      const cut = c.currentRate ?? 0;
      return runUntil(2700) - cut;
    };
    // Let through 50 a second: the figure stands, a third cut at it, the probe waits 7 s.
    expect(holdAfter(50)).toBe(0);
    // Let through 45: the figure fell by a tenth, the wait is over, the probe climbs.
    expect(holdAfter(45)).toBeGreaterThan(0);
  });

  it('climbs by its share of a probe: three runners together climb as one would', () => {
    const climb = (share: number) => {
      const { c, at } = controller(share);
      // Calls that keep up with the rate (100 a second from this runner), all ok, for a second
      // before the figure comes and 2 s after.
      for (let t = 10; t <= 3000; t += 10) {
        at(t);
        if (t === 1000) c.measured(50);
        c.done(c.dispatched(), 'ok');
      }
      return (c.currentRate ?? 0) - 49;
    };
    const alone = climb(1);
    expect(alone).toBeGreaterThan(0);
    expect(alone).toBeLessThan(5);
    expect(climb(1 / 3)).toBeCloseTo(alone / 3, 5);
  });

  it('holds the rate when calls do not keep up with it (a probe they do not follow would pile up)', () => {
    const { c, at } = controller(1 / 3);
    at(0);
    c.measured(50);
    // One call every 100 ms from this runner: 10 a second, 30 for all three, well under 49.
    for (let t = 100; t <= 3000; t += 100) {
      at(t);
      c.done(c.dispatched(), 'ok');
    }
    expect(c.currentRate).toBeCloseTo(49, 5);
  });
});
