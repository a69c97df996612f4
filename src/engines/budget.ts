/**
 * --max-cost: a row is admitted only if what was spent so far, plus the worst case of every row in
 * flight, plus its own worst case (estimated input and all of max_tokens out) stays within the
 * budget. When a row finishes, its worst case is replaced by what it really cost. So the spend
 * never passes the budget, whatever the rows in flight turn out to cost. A row that does not fit
 * while others are in flight waits for them to settle (see the on-demand engine) before the run
 * is declared out of budget.
 */
import { worstCaseCost } from '../cost/cost.js';
import { picoFromUsd, usdNumber } from '../cost/money.js';
import type { PriceTable } from '../cost/table.js';
import type { PlannedRow } from '../plan/plan.js';

/** What a finished row cost: null when unknown; `paid` when an answer came back (a failed row pays only for bad answers it got). */
export interface Charge {
  costUsd: number | null;
  paid: boolean;
}

export type Admission = { ok: true; hold: bigint } | { ok: false; reason: string };

export class Budget {
  private readonly limit: bigint;
  private spent = 0n;
  private held = 0n;
  private wake: Array<() => void> = [];

  constructor(
    readonly maxUsd: number,
    private readonly table: PriceTable,
  ) {
    this.limit = picoFromUsd(maxUsd);
  }

  admit({ request, reserve }: PlannedRow): Admission {
    // A batch record's body names its own output limit: bound the cost by that, not the job's.
    const { output } = reserve;
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

  /** Whether rows in flight hold part of the budget (perhaps another model's, sharing it). */
  get holding(): boolean {
    return this.held > 0n;
  }

  /** Resolves when a hold is next released: a row that did not fit may fit then. */
  released(): Promise<void> {
    return new Promise((resolve) => this.wake.push(resolve));
  }

  /** A row finished (or was dropped): release its hold and count what it cost. */
  settle(hold: bigint, charge: Charge): void {
    this.held -= hold;
    for (const wake of this.wake.splice(0)) wake();
    // A paid answer whose cost is unknown (a response without usage) is counted at its worst case.
    if (charge.costUsd !== null) this.spent += picoFromUsd(charge.costUsd);
    else if (charge.paid) this.spent += hold;
  }
}
