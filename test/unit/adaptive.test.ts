import { describe, expect, it } from 'vitest';
import { AdaptiveController } from '../../src/pool/adaptive.js';
import { simulate } from '../helpers/quota-sim.js';

describe('adaptive control against a quota it was not told', () => {
  it.each([
    { quotaRps: 50, burstSeconds: 10, concurrency: 50, latencyMs: 100, rows: 6000, maxShare: 0.03 },
    { quotaRps: 50, burstSeconds: 1, concurrency: 50, latencyMs: 20, rows: 6000, maxShare: 0.03 },
    // A low quota under a high offered rate: the first burst of throttles weighs more.
    { quotaRps: 5, burstSeconds: 10, concurrency: 16, latencyMs: 300, rows: 600, maxShare: 0.06 },
  ])('finishes within 3% of the quota pace with few throttles: %j', ({ maxShare, ...o }) => {
    const result = simulate({ ...o, retryDelayMs: 500 });
    // The server's full bucket at the start lets its size through at once.
    const ideal = (o.rows - o.quotaRps * o.burstSeconds) / o.quotaRps;
    expect(result.seconds).toBeLessThan(ideal / 0.97);
    expect(result.throttles / result.attempts).toBeLessThan(maxShare);
    // It ends up running at the quota, give or take the probing.
    expect(result.finalRate).toBeGreaterThan(o.quotaRps * 0.9);
    expect(result.finalRate).toBeLessThan(o.quotaRps * 1.15);
  });
});

describe('adaptive control on throttles that are not a quota', () => {
  function controller() {
    let now = 0;
    const rates: Array<number | undefined> = [];
    const c = new AdaptiveController(
      { setRate: (r) => rates.push(r), setConcurrency: () => {} },
      { maxConcurrency: 8, now: () => now },
    );
    return { c, rates, tick: (ms: number) => (now += ms) };
  }

  it('ignores a lone throttle', () => {
    const { c, rates, tick } = controller();
    for (let i = 0; i < 100; i++) {
      tick(10);
      c.done(c.dispatched(), i === 50 ? 'throttle' : 'ok');
    }
    expect(rates).toEqual([]);
    expect(c.currentRate).toBeUndefined();
  });

  it('climbs back quickly after a short burst of throttles that did not recur', () => {
    const { c, tick } = controller();
    for (let i = 0; i < 100; i++) {
      tick(10);
      c.done(c.dispatched(), 'ok');
    }
    c.done(c.dispatched(), 'throttle');
    tick(5);
    c.done(c.dispatched(), 'throttle');
    const cut = c.currentRate ?? 0;
    expect(cut).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) {
      tick(10);
      c.done(c.dispatched(), 'ok');
    }
    // 10 s later it runs at least as fast as before the cut (about 100 calls a second).
    expect(c.currentRate).toBeGreaterThan(90);
  });
});
