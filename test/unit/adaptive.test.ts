import { describe, expect, it } from 'vitest';
import { simulate } from '../helpers/quota-sim.js';

describe('adaptive control against a quota it was not told', () => {
  it.each([
    { quotaRps: 50, burstSeconds: 10, concurrency: 50, latencyMs: 100, rows: 6000 },
    { quotaRps: 50, burstSeconds: 1, concurrency: 50, latencyMs: 20, rows: 6000 },
    { quotaRps: 5, burstSeconds: 10, concurrency: 16, latencyMs: 300, rows: 600 },
  ])('finishes within 5% of the quota pace with under 4% throttled: %j', (o) => {
    const result = simulate({ ...o, retryDelayMs: 500 });
    const ideal = (o.rows - o.quotaRps * o.burstSeconds) / o.quotaRps;
    expect(result.seconds).toBeLessThan(ideal / 0.95);
    // The throttles come almost all in the first second after the burst is spent: the calls already
    // in flight then cannot be recalled.
    expect(result.throttles / result.attempts).toBeLessThan(0.04);
  });
});
