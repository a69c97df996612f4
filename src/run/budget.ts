/**
 * --max-cost: a row is admitted only if what was spent so far, plus the worst case of every row in
 * flight, plus its own worst case (estimated input and all of max_tokens out) stays within the
 * budget. When a row finishes, its worst case is replaced by what it really cost. So the spend
 * never passes the budget, whatever the rows in flight turn out to cost.
 */
import { worstCaseCost } from '../cost/cost.js';
import { picoFromUsd, usdNumber } from '../cost/money.js';
import type { PriceTable } from '../cost/table.js';
import type { PromptRequest } from '../types.js';
import { reservation } from './scan.js';

export type Admission = { ok: true; hold: bigint } | { ok: false; reason: string };

export class Budget {
  private readonly limit: bigint;
  private spent = 0n;
  private held = 0n;

  constructor(
    readonly maxUsd: number,
    private readonly table: PriceTable,
  ) {
    this.limit = picoFromUsd(maxUsd);
  }

  admit(request: PromptRequest): Admission {
    // A batch record's body names its own output limit: bound the cost by that, not the job's.
    const { output } = reservation(request);
    const worst = worstCaseCost(
      { ...request, inference: { ...request.inference, maxTokens: output } },
      this.table,
    );
    if (worst === null) return { ok: false, reason: `--max-cost: model "${request.model}" has no price` };
    if (this.spent + this.held + worst > this.limit) {
      return {
        ok: false,
        reason:
          `budget: $${usdNumber(this.spent).toFixed(4)} spent, and the next row could cost up to ` +
          `$${usdNumber(worst).toFixed(4)}, past --max-cost ${this.maxUsd}`,
      };
    }
    this.held += worst;
    return { ok: true, hold: worst };
  }

  /** A row finished (or was dropped): release its hold and count what it cost. */
  settle(hold: bigint, costUsd: number | null): void {
    this.held -= hold;
    if (costUsd !== null) this.spent += picoFromUsd(costUsd);
  }
}
