/**
 * Decides when a run should stop early because rows keep failing:
 * - fail fast: the first rows of a run all failed with the same error (a wrong model id, missing
 *   model access, expired credentials, an endpoint that is down): stop instead of failing a
 *   million rows one by one;
 * - --max-errors N: stop once N rows have failed.
 */
import type { ResultRecord } from '../types.js';

/** How many first rows failing alike make a systematic error. */
export const FAIL_FAST_ROWS = 5;

export class FailureGuard {
  private finished = 0;
  private errors = 0;
  private firstCode: string | undefined;
  private firstMessage = '';
  private sameSoFar = true;

  constructor(private readonly maxErrors?: number) {}

  /** Records a finished row; returns why the run must stop, if it must. */
  check(record: ResultRecord): string | undefined {
    this.finished++;
    if (record.status === 'error') this.errors++;
    if (this.finished <= FAIL_FAST_ROWS) {
      if (record.status !== 'error') this.sameSoFar = false;
      else if (this.firstCode === undefined) {
        this.firstCode = record.error_code;
        this.firstMessage = record.error_message;
      } else if (record.error_code !== this.firstCode) this.sameSoFar = false;
      if (this.finished === FAIL_FAST_ROWS && this.sameSoFar) {
        return `the first ${FAIL_FAST_ROWS} rows all failed with ${this.firstCode}: ${this.firstMessage}`;
      }
    }
    if (this.maxErrors !== undefined && this.errors >= this.maxErrors) {
      return `${this.errors} rows failed (--max-errors ${this.maxErrors})`;
    }
    return undefined;
  }
}
