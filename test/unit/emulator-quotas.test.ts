import { describe, expect, it } from 'vitest';
import { Quotas } from '../../src/emulator/behaviour/quotas.js';

/** A quota set on a hand-driven clock: `at(ms)` moves time. */
function quotas(options: { rpm?: number; tpm?: number; burstSeconds?: number }) {
  let now = 0;
  const q = new Quotas({ ...options, now: () => now });
  return { q, at: (ms: number) => void (now = ms) };
}

type Step = [atMs: number, model: string, tokens: number, expected: 'ok' | 'rpm' | 'tpm'];

describe('emulator quotas', () => {
  it.each<[string, { rpm?: number; tpm?: number; burstSeconds?: number }, Step[]]>([
    [
      'rpm 60 with a 10 s burst: 10 at once, then one a second',
      { rpm: 60 },
      [
        ...Array.from({ length: 10 }, (): Step => [0, 'm', 1, 'ok']),
        [0, 'm', 1, 'rpm'],
        [999, 'm', 1, 'rpm'],
        [1000, 'm', 1, 'ok'],
        [1000, 'm', 1, 'rpm'],
      ],
    ],
    [
      'rpm 6 holds at least one request even though 6 * 10 / 60 = 1',
      { rpm: 6, burstSeconds: 5 },
      [
        [0, 'm', 1, 'ok'],
        [0, 'm', 1, 'rpm'],
        [9_999, 'm', 1, 'rpm'],
        [10_000, 'm', 1, 'ok'],
      ],
    ],
    [
      'tpm 600 (capacity 100): the reservation counts input + max tokens',
      { tpm: 600 },
      [
        [0, 'm', 60, 'ok'],
        [0, 'm', 41, 'tpm'],
        [0, 'm', 40, 'ok'],
        [0, 'm', 1, 'tpm'],
        [100, 'm', 1, 'ok'], // 10 tokens a second
      ],
    ],
    [
      'each base model has its own buckets',
      { rpm: 6, tpm: 600 },
      [
        [0, 'a', 10, 'ok'],
        [0, 'a', 10, 'rpm'],
        [0, 'b', 100, 'ok'],
        [0, 'b', 1, 'rpm'],
      ],
    ],
    [
      'a refused call reserves nothing',
      { tpm: 600 },
      [
        [0, 'm', 150, 'tpm'],
        [0, 'm', 100, 'ok'],
      ],
    ],
    [
      'a call larger than the bucket passes once the bucket has refilled that far',
      { tpm: 60, burstSeconds: 10 }, // capacity 10, 1 token a second
      [
        [0, 'm', 15, 'tpm'],
        [4_000, 'm', 15, 'tpm'],
        [5_000, 'm', 15, 'ok'],
        [5_000, 'm', 1, 'tpm'],
      ],
    ],
    [
      '0 means unlimited',
      { rpm: 0, tpm: 0 },
      Array.from({ length: 50 }, (): Step => [0, 'm', 1_000_000, 'ok']),
    ],
  ])('%s', (_name, options, steps) => {
    const { q, at } = quotas(options);
    for (const [i, [ms, model, tokens, expected]] of steps.entries()) {
      at(ms);
      const admission = q.admit(model, tokens);
      expect(admission.ok ? 'ok' : admission.limit, `step ${i}`).toBe(expected);
    }
  });

  it('settles a reservation to what the call counted, never past a full bucket', () => {
    const { q } = quotas({ tpm: 600 }); // capacity 100
    const first = q.admit('m', 90);
    expect(first.ok).toBe(true);
    expect(q.admit('m', 50).ok).toBe(false);
    if (first.ok) first.settle(10); // it counted 10 of its 90
    expect(q.admit('m', 90).ok).toBe(true);
    const full = quotas({ tpm: 600 });
    const small = full.q.admit('m', 10);
    if (small.ok) {
      small.settle(0);
      small.settle(0); // a second settlement is ignored
    }
    expect(full.q.admit('m', 100).ok).toBe(true);
    expect(full.q.admit('m', 1).ok).toBe(false);
  });

  it('takes more than was reserved when a call counts more (output burndown), until it refills', () => {
    const { q, at } = quotas({ tpm: 600 }); // capacity 100, 10 tokens a second
    const call = q.admit('m', 100); // 50 input + 50 max_tokens: the bucket is empty
    expect(call.ok).toBe(true);
    // 50 input + 18 output x 5 = 140: the bucket goes 40 below empty.
    if (call.ok) call.settle(140);
    expect(q.admit('m', 1).ok).toBe(false);
    at(4_000); // 40 tokens refilled: back to empty
    expect(q.admit('m', 1).ok).toBe(false);
    at(4_100);
    expect(q.admit('m', 1).ok).toBe(true);
  });

  it('reset refills every bucket', () => {
    const { q } = quotas({ rpm: 6 });
    expect(q.admit('m', 1).ok).toBe(true);
    expect(q.admit('m', 1).ok).toBe(false);
    q.reset();
    expect(q.admit('m', 1).ok).toBe(true);
  });
});
