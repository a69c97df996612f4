/**
 * What a call will count against a token quota when it settles, learned from the calls that
 * settled. Some count more than they reserved (Claude 4's output burndown: each output token
 * counts 5), and admitting by the reservation alone lets through a burst that the server's bucket
 * cannot pay for once its calls settle: a call admitted after another settled there, but before
 * that settlement reached this runner, is throttled. So admission holds the larger of the
 * reservation and the expected count. Until a call has settled, a task's own worst case
 * (`mostCounted`) is expected; after, the highest ratio of counted to reserved among the last
 * WINDOW calls: a high mark rather than a mean, since guessing low overdraws the server's bucket
 * while guessing high only holds tokens a little longer.
 */

/** Calls whose ratio is remembered. */
const WINDOW = 32;

export interface Reserve {
  input: number;
  output: number;
  /** The most the call may count at settlement, when that is more than it reserves. */
  mostCounted?: number;
}

export class SettleEstimate {
  private readonly ratios: number[] = [];
  private high: number | undefined;

  /** The tokens to hold at admission for a call reserving `reserve`. */
  weigh(reserve: Reserve): number {
    const reserved = reserve.input + reserve.output;
    const ratio = this.high ?? (reserve.mostCounted ?? reserved) / Math.max(1, reserved);
    return Math.max(reserved, Math.round(reserved * ratio));
  }

  /** A call that reserved `reserved` counted `counted` when it settled. */
  learn(reserved: number, counted: number): void {
    if (!(reserved > 0) || !Number.isFinite(counted) || counted < 0) return;
    this.ratios.push(counted / reserved);
    if (this.ratios.length > WINDOW) this.ratios.shift();
    this.high = Math.max(...this.ratios);
  }
}
