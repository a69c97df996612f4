/**
 * How long to wait before the next attempt: exponential backoff with full jitter
 * (a random delay between 0 and min(cap, base * 2^(attempt-1))), never shorter than the server's
 * `retry-after` hint. Full jitter spreads retries of many rows that failed together, so they do not
 * come back as a synchronized wave.
 */

export interface RetryPolicy {
  /** Attempts per row, the first included. @default 8 */
  maxAttempts: number;
  /** Backoff base. @default 250 */
  baseMs: number;
  /** Longest backoff (a retry-after hint may ask for more, up to maxHintMs). @default 20000 */
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 250, capMs: 20_000 };

/** A server asking for more than this is not waited for beyond it. */
const MAX_HINT_MS = 120_000;

/** @param attempt the attempt that just failed, from 1 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const backoff = backoffMs(attempt, policy, random);
  return retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(retryAfterMs, MAX_HINT_MS));
}
