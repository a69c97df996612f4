/**
 * Decides when a run should stop early because rows keep failing:
 * - fail fast: the first rows of a run all failed with the same error (a wrong model id, missing
 *   model access, expired credentials, an endpoint that is down): stop instead of failing a
 *   million rows one by one;
 * - a failing endpoint mid-run: a long streak of rows failing with the same error that says
 *   nothing about the row itself (the connection, the service, the credentials) stops the run
 *   too, rather than hammering a dead endpoint for every row left;
 * - --max-errors N: stop once N rows have failed.
 */
import type { StopReason } from '../engines/stopper.js';
import type { ResultRecord } from '../types.js';

/** How many first rows failing alike make a systematic error. */
export const FAIL_FAST_ROWS = 5;

/** How many rows in a row, at least, must fail alike mid-run (more with more calls in flight). */
export const STREAK_ROWS = 10;

/**
 * Errors that belong to the endpoint, the network or the account, not to a row: a streak of them
 * means every row left would fail the same way. Row-specific errors (ValidationException on one
 * prompt) never count.
 */
const SYSTEMATIC = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
  'ServiceUnavailableException',
  'InternalServerException',
  'ThrottlingException',
  'ModelNotReadyException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'ResourceNotFoundException',
]);

export interface GuardStop {
  reason: Extract<StopReason, 'fail-fast' | 'failing-endpoint' | 'failures'>;
  detail: string;
}

export class FailureGuard {
  private finished = 0;
  private errors = 0;
  private firstCode: string | undefined;
  private firstMessage = '';
  private sameSoFar = true;
  private streakCode = '';
  private streak = 0;
  private readonly streakLimit: number;

  /** @param concurrency rows finish in bursts of this many: a streak must outlast one burst */
  constructor(
    private readonly maxErrors?: number,
    concurrency = 1,
  ) {
    this.streakLimit = Math.max(STREAK_ROWS, 2 * concurrency);
  }

  /** Records a finished row; returns why the run must stop, if it must. */
  check(record: ResultRecord): GuardStop | undefined {
    this.finished++;
    if (record.status === 'error') this.errors++;
    const fast = this.failFast(record);
    if (fast !== undefined) return { reason: 'fail-fast', detail: fast };
    const streak = this.streakOf(record);
    if (streak !== undefined) return { reason: 'failing-endpoint', detail: streak };
    if (this.maxErrors !== undefined && this.errors >= this.maxErrors) {
      return { reason: 'failures', detail: `${this.errors} rows failed (--max-errors ${this.maxErrors})` };
    }
    return undefined;
  }

  private failFast(record: ResultRecord): string | undefined {
    if (this.finished > FAIL_FAST_ROWS) return undefined;
    if (record.status !== 'error') this.sameSoFar = false;
    else if (this.firstCode === undefined) {
      this.firstCode = record.error_code;
      this.firstMessage = record.error_message;
    } else if (record.error_code !== this.firstCode) this.sameSoFar = false;
    if (this.finished === FAIL_FAST_ROWS && this.sameSoFar) {
      return `the first ${FAIL_FAST_ROWS} rows all failed with ${this.firstCode}: ${this.firstMessage}`;
    }
    return undefined;
  }

  private streakOf(record: ResultRecord): string | undefined {
    const systematic = record.status === 'error' && SYSTEMATIC.has(record.error_code);
    if (!systematic) {
      this.streak = 0;
      return undefined;
    }
    this.streak = record.error_code === this.streakCode ? this.streak + 1 : 1;
    this.streakCode = record.error_code;
    if (this.streak < this.streakLimit) return undefined;
    return (
      `the last ${this.streak} rows all failed with ${record.error_code} (${record.error_message}): ` +
      'the endpoint or the account is failing every call; stopped so the rest are not tried one by one. Run again once it is back'
    );
  }
}
