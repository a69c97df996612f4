/**
 * Tallies finished rows into the run summary (printed, and written as <output>.summary.json).
 */

import { picoFromUsd, usdNumber } from '../cost/money.js';
import type { BatchStats } from '../engines/engine.js';
import type { Stop } from '../engines/stopper.js';
import type { JudgeTotals } from '../judge/open.js';
import type { ResultRecord } from '../types.js';

/** Where a run stands after each finished row. */
export interface Progress {
  total: number;
  done: number;
  ok: number;
  error: number;
  /** Already ok from an earlier run: not sent again. */
  skipped: number;
  /** Written from the answer ledger, with no call. */
  reused?: number;
  attempts: number;
  throttles: number;
  inputTokens: number;
  outputTokens: number;
  /** Spend so far, null until a priced row finished. */
  costUsd: number | null;
}

export interface ModelTotals {
  /** Ok rows; error rows that were billed (bad answers) add their tokens and cost, not a row. */
  rows: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Cost of the priced rows; null when none of this model's rows could be priced. */
  costUsd: number | null;
  /** Ok rows with no cost: the model (or a cache price it needed) is not in the pricing table. */
  unpricedRows: number;
}

export interface RunSummary {
  input: string;
  output: string;
  startedAt: string;
  finishedAt: string;
  wallMs: number;
  rows: {
    total: number;
    ok: number;
    error: number;
    /** Already ok in the results file from an earlier run, so not sent again. */
    skipped: number;
    /** Written from the answer ledger with no call (ok rows too, like skipped). */
    reused?: number;
    /** Rows of the old results file whose ids are no longer in the input: dropped from it. */
    dropped?: number;
    /** Ok in the results file, but asking something else now (prompt, model, settings): run again. */
    changed: number;
    /** Never finished because the run stopped early. */
    notRun: number;
  };
  tokens: { input: number; output: number; total: number; cacheRead: number; cacheWrite: number };
  /** Cost of the priced rows; null when rows ran but none could be priced (never a silent 0). */
  costUsd: number | null;
  /** Ok rows without a price: costUsd leaves them out. */
  unpricedRows: number;
  costByModel: Record<string, ModelTotals>;
  /** Calls made this run, retries included. */
  attempts: number;
  throttles: number;
  rowsPerSecond: number;
  errorsByCode: Record<string, number>;
  exitCode: number;
  /** Why the run stopped early (rows were left undone): the typed reason, soft or hard, and the text. */
  stop?: Stop;
  /** The stop's text (`stop.detail`), as summaries before the typed reason had it. */
  stopReason?: string;
  /** `--shard i/N`: which shard of the input this run was. */
  shard?: string;
  /** `--limit` / `--sample`: `120 of 300 rows (--sample 120 --seed 7)`. */
  slice?: string;
  /** `-m` an inference profile's ARN: what it resolved to and its tags (docs/attribution.md). */
  profile?: { arn: string; type: string; name?: string; pricedAs: string; tags: Record<string, string> };
  /** `--tag`: the request metadata every call carried besides run_id and row_id. */
  tags?: Record<string, string>;
  /** Batch mode: jobs collected, their records, the time Bedrock took (calls and rows/s mean little). */
  batch?: BatchStats;
  /** --guardrail: rows answered under it this run, how many it intervened on, its share of costUsd. */
  guardrail?: GuardrailTotals;
  /** --expect: the rows in the results file with an expected value and an answer, and how many matched. */
  score?: ScoreTotals;
  /** --judge: verdicts, passes, and what the judge's calls cost, apart from costUsd (judge/open.ts). */
  judge?: JudgeTotals;
}

export interface ScoreTotals {
  rows: number;
  matched: number;
  /** matched / rows; null when no row was scored. */
  accuracy: number | null;
}

export function accuracyOf(tally: { rows: number; matched: number }): ScoreTotals {
  return { ...tally, accuracy: tally.rows === 0 ? null : tally.matched / tally.rows };
}

export interface GuardrailTotals {
  rows: number;
  intervened: number;
  /** The guardrail's text units priced; null when no row's units were known (responses without a trace). */
  costUsd: number | null;
}

export class Tally {
  ok = 0;
  error = 0;
  skipped = 0;
  reused = 0;
  dropped = 0;
  changed = 0;
  attempts = 0;
  throttles = 0;
  readonly tokens = { input: 0, output: 0, total: 0, cacheRead: 0, cacheWrite: 0 };
  readonly byModel: Record<string, ModelTotals> = {};
  readonly errorsByCode: Record<string, number> = {};
  private spent: bigint | null = null;
  private readonly guarded = { rows: 0, intervened: 0, spent: null as bigint | null };

  /** What this run's finished rows cost so far; null until a priced row finished. */
  get spentUsd(): number | null {
    return this.spent === null ? null : usdNumber(this.spent);
  }

  /** Counts a row finished in this run (attempts and throttles come from the pool). */
  add(record: ResultRecord): void {
    const ok = record.status === 'ok';
    if (ok && record.guardrail_action) {
      this.guarded.rows++;
      if (record.guardrail_action === 'INTERVENED') this.guarded.intervened++;
      if (typeof record.guardrail_usd === 'number')
        this.guarded.spent = (this.guarded.spent ?? 0n) + picoFromUsd(record.guardrail_usd);
    }
    if (!ok) {
      this.error++;
      this.errorsByCode[record.error_code] = (this.errorsByCode[record.error_code] ?? 0) + 1;
      // An error row with tokens was billed (bad answers): its tokens and cost count, as in report.
      if (record.input_tokens === null) return;
    } else this.ok++;
    this.tokens.input += record.input_tokens ?? 0;
    this.tokens.output += record.output_tokens ?? 0;
    this.tokens.total += record.total_tokens ?? 0;
    this.tokens.cacheRead += record.cache_read_tokens ?? 0;
    this.tokens.cacheWrite += record.cache_write_tokens ?? 0;
    const model = (this.byModel[record.model] ??= {
      rows: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: null,
      unpricedRows: 0,
    });
    if (ok) model.rows++;
    model.inputTokens += record.input_tokens ?? 0;
    model.outputTokens += record.output_tokens ?? 0;
    model.cacheReadTokens += record.cache_read_tokens ?? 0;
    model.cacheWriteTokens += record.cache_write_tokens ?? 0;
    // Summed in picodollars, so the total is exact and equals the sum over the results file.
    if (record.cost_usd === null) {
      if (ok) model.unpricedRows++;
    } else this.spent = (this.spent ?? 0n) + picoFromUsd(record.cost_usd);
    if (record.cost_usd !== null)
      model.costUsd = usdNumber(picoFromUsd(model.costUsd ?? 0) + picoFromUsd(record.cost_usd));
  }

  /** A row written from the answer ledger: ok, with nothing paid and no tokens spent. */
  addReused(): void {
    this.reused++;
  }

  get done(): number {
    return this.ok + this.error;
  }

  /** Where the run stands, for the progress reporter. */
  progress(total: number, calls: { attempts: number; throttles: number }): Progress {
    return {
      total,
      done: this.done,
      ok: this.ok,
      error: this.error,
      skipped: this.skipped,
      reused: this.reused,
      attempts: calls.attempts,
      throttles: calls.throttles,
      inputTokens: this.tokens.input,
      outputTokens: this.tokens.output,
      costUsd: this.spentUsd,
    };
  }

  summarize(base: {
    input: string;
    output: string;
    total: number;
    startedAt: Date;
    finishedAt: Date;
    exitCode: number;
    stop?: Stop;
  }): RunSummary {
    const wallMs = base.finishedAt.getTime() - base.startedAt.getTime();
    const models = Object.values(this.byModel);
    const priced = models.filter((m) => m.costUsd !== null);
    const unpricedRows = models.reduce((sum, m) => sum + m.unpricedRows, 0);
    const summary: RunSummary = {
      input: base.input,
      output: base.output,
      startedAt: base.startedAt.toISOString(),
      finishedAt: base.finishedAt.toISOString(),
      wallMs,
      rows: {
        total: base.total,
        ok: this.ok + this.skipped + this.reused,
        error: this.error,
        skipped: this.skipped,
        reused: this.reused,
        dropped: this.dropped,
        changed: this.changed,
        notRun: Math.max(0, base.total - this.ok - this.error - this.skipped - this.reused),
      },
      tokens: { ...this.tokens },
      costUsd:
        unpricedRows > 0 && priced.length === 0
          ? null
          : usdNumber(priced.reduce((sum, m) => sum + picoFromUsd(m.costUsd ?? 0), 0n)),
      unpricedRows,
      costByModel: this.byModel,
      attempts: this.attempts,
      throttles: this.throttles,
      rowsPerSecond: wallMs > 0 ? Math.round((this.done / wallMs) * 1000 * 10) / 10 : 0,
      errorsByCode: this.errorsByCode,
      exitCode: base.exitCode,
    };
    if (this.guarded.rows > 0) {
      const { rows, intervened, spent } = this.guarded;
      summary.guardrail = { rows, intervened, costUsd: spent === null ? null : usdNumber(spent) };
    }
    if (base.stop !== undefined) {
      summary.stop = base.stop;
      summary.stopReason = base.stop.detail;
    }
    return summary;
  }
}
