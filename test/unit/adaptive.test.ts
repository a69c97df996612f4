import { describe, expect, it } from 'vitest';
import { AdaptiveController } from '../../src/pool/adaptive.js';
import { simulate } from '../helpers/quota-sim.js';

describe('adaptive control against a quota it was not told', () => {
  it.each([
    { quotaRps: 50, burstSeconds: 10, concurrency: 50, latencyMs: 100, rows: 6000, maxShare: 0.03 },
    { quotaRps: 50, burstSeconds: 1, concurrency: 50, latencyMs: 20, rows: 6000, maxShare: 0.03 },
    // A low quota under a high offered rate: the first burst of throttles weighs more.
    { quotaRps: 5, burstSeconds: 10, concurrency: 16, latencyMs: 300, rows: 600, maxShare: 0.06 },
    // The bench's shapes: a bucket of 1, 6 and 60 seconds of a 20-a-second quota.
    { quotaRps: 20, burstSeconds: 1, concurrency: 50, latencyMs: 100, rows: 2000, maxShare: 0.03 },
    { quotaRps: 20, burstSeconds: 6, concurrency: 50, latencyMs: 100, rows: 2000, maxShare: 0.03 },
    { quotaRps: 20, burstSeconds: 60, concurrency: 50, latencyMs: 100, rows: 3000, maxShare: 0.03 },
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

describe('measuring a quota between throttles', () => {
  function controller() {
    let now = 0;
    const c = new AdaptiveController(
      { setRate: () => {}, setConcurrency: () => {} },
      { maxConcurrency: 50, now: () => now },
    );
    return { c, at: (ms: number) => (now = ms) };
  }

  it('runs at the calls let through between two throttles, once every call sent between has finished', () => {
    const { c, at } = controller();
    at(0);
    c.done(c.dispatched(), 'throttle');
    c.done(c.dispatched(), 'throttle');
    // 21 calls let through in the 1,000 ms to the next throttle; the last is still in flight when
    // that throttle comes back.
    const sent = [];
    for (let i = 1; i <= 21; i++) {
      at(i * 45);
      sent.push(c.dispatched());
    }
    for (const call of sent.slice(0, 20)) c.done(call, 'ok');
    at(1000);
    const end = c.dispatched();
    c.done(end, 'throttle');
    const before = c.currentRate;
    const last = sent[20];
    if (last) c.done(last, 'ok');
    // (21 - 1) calls / 1 s: the measurement waits for the last call, then sets the rate.
    expect(before).not.toBe(20);
    expect(c.currentRate).toBeCloseTo(20, 5);
  });

  /** Measures 20 a second (as above), then only successes come, one every `everyMs`, for `ms`. */
  function climbAfterMeasuring(everyMs: number, ms: number): number {
    const { c, at } = controller();
    at(0);
    c.done(c.dispatched(), 'throttle');
    c.done(c.dispatched(), 'throttle');
    for (let i = 1; i <= 21; i++) {
      at(i * 45);
      c.done(c.dispatched(), 'ok');
    }
    at(1000);
    c.done(c.dispatched(), 'throttle');
    expect(c.currentRate).toBeCloseTo(20, 5);
    for (let t = 1000 + everyMs; t <= 1000 + ms; t += everyMs) {
      at(t);
      c.done(c.dispatched(), 'ok');
    }
    return c.currentRate ?? 0;
  }

  it('probes above a measurement from below, quicker the longer nothing is throttled', () => {
    // A token quota's measurement can be a third short: 6 s without a throttle climb most of that.
    expect(climbAfterMeasuring(50, 6000)).toBeGreaterThan(20 * 1.3);
    // The first second stays close to what was measured: most measurements are right.
    expect(climbAfterMeasuring(50, 1000)).toBeLessThan(20 * 1.02);
  });

  it('climbs as fast in time when successes are few and far between', () => {
    // How far each climbed above the 20 a second measured: the same, within a step or two.
    const often = climbAfterMeasuring(50, 6000) - 20;
    const seldom = climbAfterMeasuring(400, 6000) - 20;
    expect(seldom / often).toBeGreaterThan(0.9);
    expect(seldom / often).toBeLessThan(1.1);
  });

  it('forgets its measurement when throttles keep coming at the measured rate (the quota fell)', () => {
    const { c, at } = controller();
    let t = 0;
    const call = (outcome: 'ok' | 'throttle') => {
      at((t += 50));
      c.done(c.dispatched(), outcome);
    };
    call('throttle');
    call('throttle');
    for (let i = 0; i < 20; i++) call('ok');
    call('throttle'); // 20 calls in 1,050 ms: about 18 a second
    const measured = c.currentRate ?? 0;
    expect(measured).toBeGreaterThan(15);
    // Now half the calls at that rate are throttled.
    for (let i = 0; i < 10; i++) call(i % 2 === 0 ? 'throttle' : 'ok');
    expect(c.currentRate ?? 0).toBeLessThan(measured * 0.6);
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

describe('adaptive control over a long run', () => {
  it('forgets calls older than its memory when nothing is throttled (memory stays flat)', () => {
    let now = 0;
    const c = new AdaptiveController(
      { setRate: () => {}, setConcurrency: () => {} },
      { maxConcurrency: 8, now: () => now },
    );
    for (let i = 0; i < 200_000; i++) {
      now += 1;
      c.done(c.dispatched(), 'ok');
    }
    // 30 s of memory at one call a millisecond, plus at most one pruning batch.
    expect((c as unknown as { log: unknown[] }).log.length).toBeLessThan(31_100);
  });
});
