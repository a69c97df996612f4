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
  function controller(share: number) {
    let now = 0;
    const rates: Array<{ rps: number | undefined; quota: number | undefined }> = [];
    const c = new AdaptiveController(
      { setRate: (rps, quota) => rates.push({ rps, quota }), setConcurrency: () => {} },
      { maxConcurrency: 20, share: () => share, spans: false, now: () => now },
    );
    return { c, rates, at: (ms: number) => (now = ms) };
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
    // 100 calls a second for a second, all let through; then two throttles: cut to a fifth.
    for (let i = 0; i < 100; i++) {
      at(i * 10);
      c.done(c.dispatched(), 'ok');
    }
    at(1000);
    c.done(c.dispatched(), 'throttle');
    c.done(c.dispatched(), 'throttle');
    expect(c.currentRate).toBeCloseTo(0.2 * 102, 0);
    const rateAt: number[] = [];
    for (let t = 1010; t <= 6000; t += 10) {
      at(t);
      c.done(c.dispatched(), 'ok');
      if (t % 500 === 0) rateAt[t] = c.currentRate ?? 0;
    }
    // Climbing by 1.3 a quarter second, it would pass 100 a second by 2.5 s.
    expect(rateAt[2500]).toBeCloseTo(51, 0);
    expect(rateAt[3500]).toBeCloseTo(51, 0);
    // It reached the ceiling before 2 s; quiet there for 2 s, it climbs on.
    expect(rateAt[4500]).toBeGreaterThan(60);
    expect(rateAt[6000]).toBeGreaterThan(rateAt[4500] ?? 0);
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

  it('climbs by its share of a probe: three runners together climb as one would', () => {
    const climb = (share: number) => {
      const { c, at } = controller(share);
      at(0);
      c.measured(50);
      // Calls that keep up with the rate, all ok, for 2 s.
      for (let t = 10; t <= 2000; t += 10) {
        at(t);
        c.done(c.dispatched(), 'ok');
      }
      return (c.currentRate ?? 0) - 49;
    };
    const alone = climb(1);
    expect(alone).toBeGreaterThan(0);
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
