import { describe, expect, it } from 'vitest';
import { SettleEstimate } from '../../src/pool/settle-estimate.js';

describe('what a call is expected to count when it settles', () => {
  it("holds a task's own worst case until a call has settled", () => {
    const estimate = new SettleEstimate();
    // 40 input + 512 max_tokens, output x5 at worst: 40 + 2,560.
    expect(estimate.weigh({ input: 40, output: 512, mostCounted: 2600 })).toBe(2600);
    expect(estimate.weigh({ input: 40, output: 512 })).toBe(552);
  });

  it('then the highest ratio of the last calls, never less than the reservation', () => {
    const estimate = new SettleEstimate();
    estimate.learn(100, 50);
    expect(estimate.weigh({ input: 10, output: 90, mostCounted: 460 })).toBe(100);
    estimate.learn(100, 300); // 3x: a long answer on a model with burndown
    estimate.learn(100, 120);
    expect(estimate.weigh({ input: 10, output: 190, mostCounted: 960 })).toBe(600);
  });

  it('forgets a high mark after 32 calls', () => {
    const estimate = new SettleEstimate();
    estimate.learn(100, 400);
    for (let i = 0; i < 31; i++) estimate.learn(100, 150);
    expect(estimate.weigh({ input: 0, output: 100 })).toBe(400);
    estimate.learn(100, 150);
    expect(estimate.weigh({ input: 0, output: 100 })).toBe(150);
  });

  it('ignores settlements it cannot read', () => {
    const estimate = new SettleEstimate();
    estimate.learn(0, 100);
    estimate.learn(100, Number.NaN);
    estimate.learn(100, -5);
    expect(estimate.weigh({ input: 0, output: 100, mostCounted: 500 })).toBe(500);
  });
});
