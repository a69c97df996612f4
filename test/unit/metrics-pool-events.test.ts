/**
 * The pool's attempt events, which progress, the metrics and the traces count from: one `sent` per
 * call, a `failed` or `ok` for each, in order, as they happen, and the same counts as its stats.
 */
import { describe, expect, it } from 'vitest';
import { type AttemptEvent, type Failure, Pool, type Task } from '../../src/pool/pool.js';

const throttle: Failure = { retryable: true, throttle: true };
const fatal: Failure = { retryable: false, throttle: false };

function task(failures: Failure[]): Task<string, Failure> {
  let i = 0;
  return {
    reserve: { input: 10, output: 100 },
    attempt: async () => {
      const failure = failures[i++];
      if (failure) throw failure;
      return 'done';
    },
    used: () => 50,
    usedOnFailure: () => 0,
    classify: (error) => error as Failure,
  };
}

const pool = () =>
  new Pool({
    concurrency: 2,
    retry: { maxAttempts: 3, baseMs: 1, capMs: 1 },
    adaptive: false,
    sleep: async () => {},
  });

const brief = (e: AttemptEvent<Failure>) =>
  e.type === 'failed'
    ? `${e.attempt}:${e.failure.throttle ? 'throttle' : 'error'}${e.willRetry ? '+retry' : ''}`
    : `${e.attempt}:${e.type}`;

describe('attempt events', () => {
  it.each([
    ['answered at once', [], ['1:sent', '1:ok']],
    [
      'throttled twice, then answered',
      [throttle, throttle],
      ['1:sent', '1:throttle+retry', '2:sent', '2:throttle+retry', '3:sent', '3:ok'],
    ],
    [
      'throttled past the last attempt',
      [throttle, throttle, throttle],
      ['1:sent', '1:throttle+retry', '2:sent', '2:throttle+retry', '3:sent', '3:throttle'],
    ],
    ['a failure not retried', [fatal], ['1:sent', '1:error']],
  ])('%s', async (_, failures, expected) => {
    const p = pool();
    const events: AttemptEvent<Failure>[] = [];
    await p.run(task(failures), (e) => events.push(e));
    expect(events.map(brief)).toEqual(expected);
    expect(events.filter((e) => e.type === 'sent')).toHaveLength(p.stats.attempts);
    expect(events.filter((e) => e.type === 'failed' && e.failure.throttle)).toHaveLength(p.stats.throttles);
    expect(events.filter((e) => e.type === 'sent' && e.attempt > 1)).toHaveLength(p.stats.retries);
  });
});
