import { describe, expect, it } from 'vitest';
import { backoffMs, retryDelayMs } from '../../src/pool/backoff.js';
import { type Failure, Pool, type Task } from '../../src/pool/pool.js';

interface Fail extends Failure {
  code: string;
}

const classify = (error: unknown): Fail => error as Fail;
const throttle: Fail = { code: 'ThrottlingException', retryable: true, throttle: true };
const fatal: Fail = { code: 'ValidationException', retryable: false, throttle: false };

/** A task that fails with the given failures in turn, then succeeds. */
function task(failures: Fail[], log: { calls: number }): Task<string, Fail> {
  let i = 0;
  return {
    reserve: { input: 10, output: 100 },
    attempt: async () => {
      log.calls++;
      await Promise.resolve();
      const failure = failures[i++];
      if (failure) throw failure;
      return 'done';
    },
    used: () => 50,
    usedOnFailure: (failure) => (failure.throttle ? 0 : 10),
    classify,
  };
}

function pool(options: Partial<ConstructorParameters<typeof Pool>[0]> = {}, delays: number[] = []) {
  return new Pool({
    concurrency: 4,
    retry: { maxAttempts: 4, baseMs: 100, capMs: 1000 },
    adaptive: false,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
}

describe('backoff', () => {
  it.each([
    [1, 0.5, 50],
    [2, 0.5, 100],
    [3, 0.99, 396],
    [10, 0.5, 500], // capped at 1000
    [1, 0, 0],
  ])('attempt %i with random %f waits %i ms', (attempt, r, expected) => {
    expect(backoffMs(attempt, { maxAttempts: 8, baseMs: 100, capMs: 1000 }, () => r)).toBe(expected);
  });

  it('never waits less than a retry-after hint, nor more than two minutes for one', () => {
    const policy = { maxAttempts: 8, baseMs: 100, capMs: 1000 };
    expect(retryDelayMs(1, policy, 3000, () => 0.5)).toBe(3000);
    expect(retryDelayMs(4, policy, 10, () => 0.9)).toBe(720);
    expect(retryDelayMs(1, policy, 10_000_000, () => 0.5)).toBe(120_000);
  });
});

describe('pool', () => {
  it('retries retryable failures and counts every attempt', async () => {
    const log = { calls: 0 };
    const delays: number[] = [];
    const p = pool({}, delays);
    const outcome = await p.run(task([throttle, throttle], log));
    expect(outcome).toMatchObject({ kind: 'ok', value: 'done', attempts: 3 });
    expect(log.calls).toBe(3);
    expect(delays).toEqual([50, 100]);
    expect(p.stats).toEqual({ attempts: 3, throttles: 2, retries: 2 });
  });

  it('does not retry a non-retryable failure', async () => {
    const log = { calls: 0 };
    const outcome = await pool().run(task([fatal], log));
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 1, failure: { code: 'ValidationException' } });
    expect(log.calls).toBe(1);
  });

  it('gives up after max attempts with the last failure', async () => {
    const log = { calls: 0 };
    const outcome = await pool().run(task([throttle, throttle, throttle, throttle, throttle], log));
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 4, failure: { code: 'ThrottlingException' } });
    expect(log.calls).toBe(4);
  });

  it('waits at least what retry-after asks', async () => {
    const delays: number[] = [];
    const hinted = { ...throttle, retryAfterMs: 2500 };
    await pool({}, delays).run(task([hinted], { calls: 0 }));
    expect(delays).toEqual([2500]);
  });

  it('never has more than `concurrency` attempts in flight', async () => {
    const p = pool({ concurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    const slow: Task<number, Fail> = {
      reserve: { input: 1, output: 1 },
      attempt: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        return 1;
      },
      used: () => 2,
      usedOnFailure: () => 1,
      classify,
    };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => p.run(slow)));
    expect(outcomes.every((o) => o.kind === 'ok')).toBe(true);
    expect(peak).toBe(3);
  });

  it('turns an attempt past the request timeout into a retryable TimeoutError', async () => {
    const p = pool({ requestTimeoutMs: 5, retry: { maxAttempts: 2, baseMs: 0, capMs: 0 } });
    const seen: unknown[] = [];
    const hang: Task<string, Fail> = {
      reserve: { input: 1, output: 1 },
      attempt: (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      used: () => 0,
      usedOnFailure: () => 1,
      classify: (error) => {
        seen.push(error);
        return { code: (error as Error).name, retryable: true, throttle: false };
      },
    };
    const outcome = await p.run(hang);
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 2, failure: { code: 'TimeoutError' } });
    expect(seen).toHaveLength(2);
  });

  it('skips tasks that had not started when the run is stopping', async () => {
    const stop = new AbortController();
    stop.abort();
    const log = { calls: 0 };
    expect(await pool({ softStop: stop.signal }).run(task([], log))).toEqual({ kind: 'notSent' });
    expect(log.calls).toBe(0);
  });
});
