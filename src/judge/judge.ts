/**
 * The judge (--judge MODEL --rubric ...): each ok answer, once it is written (new, reused from the
 * ledger, or kept from the results file), is graded by a second model, and its row is written
 * again with the verdict. Its calls are pool tasks as a row's are (the same task, retries,
 * throttle handling and schema checks: a verdict is a --json-schema answer of a fixed schema),
 * in a pool of their own built from the run's options, because Bedrock's quotas are per model and
 * the judge's must not slow the answers' adaptive rate. Each call is admitted by the run's budget
 * (--max-cost counts both).
 *
 * A verdict is committed to the answer ledger, keyed by the judge's own request (ledger/key.ts),
 * before its row is written: a rerun reuses it with no call, and a new rubric is a new request,
 * so the answers are kept and only the verdicts bought again. The answer is committed before the
 * judge is asked, so a kill -9 while judging never loses a paid answer.
 *
 * A judge call that fails leaves the answer ok, the verdict empty and `judge_error` saying why;
 * the next run asks again. A run stopped before a verdict was asked leaves it empty too.
 */

import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { CallFailure } from '../bedrock/errors.js';
import type { MetadataPlan } from '../bedrock/request-metadata.js';
import type { Pricer } from '../cost/cost.js';
import { picoFromUsd } from '../cost/money.js';
import type { Budget } from '../engines/budget.js';
import { rowTask } from '../engines/ondemand/row-task.js';
import type { Stopper } from '../engines/stopper.js';
import type { LedgerEntry } from '../ledger/store.js';
import type { PlannedRow } from '../plan/plan.js';
import { Pool, type PoolOptions } from '../pool/pool.js';
import type { ResultRecord } from '../types.js';
import { failedFields, hasVerdict, type JudgeFields, verdictFields } from './fields.js';
import { failedCost, replyRecord, safePrice } from './reply.js';
import { type JudgeSetup, judgeRow } from './request.js';

/** What the judge needs of the run's ledger (src/run/run-ledger.ts has it). */
export interface JudgeLedger {
  lookup(row: PlannedRow): LedgerEntry | undefined;
  entryFor(row: PlannedRow, record: ResultRecord): LedgerEntry;
  readonly ledger?: { recordAll(entries: LedgerEntry[]): void } | undefined;
  /** The results file's real path: a verdict this file bought is paid here, another's is not. */
  readonly output: string;
}

export interface JudgeParts {
  setup: JudgeSetup;
  client: BedrockRuntimeClient;
  pool: Omit<PoolOptions, 'softStop' | 'hardStop' | 'limiter'>;
  stopper: Stopper;
  budget?: Budget;
  pricer: Pricer;
  ledger: JudgeLedger;
  redact: (text: string) => string;
  /** --tag, run_id and row_id, as the answers' calls carry them (bedrock/request-metadata.ts). */
  metadata?: MetadataPlan;
  /** Writes the row again with its judge fields (a later record of a row replaces the earlier). */
  write: (row: PlannedRow, record: ResultRecord) => void;
  onWarning?: (message: string) => void;
  /** A verdict settled (progress). */
  onJudged?: () => void;
}

export interface JudgeStats {
  /** Judge calls made, retries included. */
  attempts: number;
  /** Verdicts given this run: new ones, from the ledger, and kept in the results file. */
  judged: number;
  reused: number;
  kept: number;
  passed: number;
  /** Judge calls that failed (judge_error set). */
  failed: number;
  /** Ok answers left without a verdict because the run stopped first. */
  left: number;
  /** What this run paid for verdicts, in picodollars. */
  paidPico: bigint;
}

interface Job {
  row: PlannedRow;
  record: ResultRecord;
  asked: PlannedRow;
}

export class Judge {
  private readonly pool: Pool;
  private readonly queue: Job[] = [];
  private running = 0;
  private idle: Array<() => void> = [];
  private readonly price: (record: ResultRecord) => number | null;
  private readonly counts = { judged: 0, reused: 0, kept: 0, passed: 0, failed: 0, left: 0, paidPico: 0n };

  constructor(private readonly parts: JudgeParts) {
    const { stopper } = parts;
    this.price = safePrice(parts.pricer, parts.onWarning);
    this.pool = new Pool({ ...parts.pool, softStop: stopper.soft, hardStop: stopper.hard }, 0);
  }

  get stats(): JudgeStats {
    return { attempts: this.pool.stats.attempts, ...this.counts };
  }

  /** An ok answer was written: grade it, unless its record holds this very verdict already. */
  consider(row: PlannedRow, record: ResultRecord): void {
    if (record.status !== 'ok') return;
    const asked = judgeRow(this.parts.setup, row, record.response);
    const held = record as unknown as Record<string, unknown>;
    if (hasVerdict(held, asked.fingerprint)) {
      this.counted(held.judge_pass);
      this.counts.kept++;
      return;
    }
    const entry = this.parts.ledger.lookup(asked);
    if (entry !== undefined && entry.status === 'ok') {
      const fields = this.safely(() =>
        verdictFields(entry.record as Partial<ResultRecord>, asked.fingerprint),
      );
      if (fields) {
        this.counts.reused++;
        // As paid_usd: this file paid only for a verdict it bought (a rebuild of it, say).
        const bought = entry.output === this.parts.ledger.output && entry.rowId === row.request.id;
        if (!bought) fields.judge_cost_usd = 0;
        this.land(row, record, fields);
        return;
      }
    }
    this.queue.push({ row, record, asked });
    this.pump();
  }

  /** Resolves once every verdict asked for has settled (or was left by a stop). */
  drain(): Promise<void> {
    this.pump();
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Starts queued verdicts while the pool has room and the budget admits them. */
  private pump(): void {
    while (this.queue.length > 0 && this.running < this.parts.pool.concurrency) {
      if (this.parts.stopper.stopped) {
        this.counts.left += this.queue.length;
        this.queue.length = 0;
        break;
      }
      const job = this.queue[0] as Job;
      const admission = this.parts.budget?.admit(job.asked) ?? { ok: true as const, hold: 0n };
      if (!admission.ok) {
        // The calls in flight may cost less than their worst case: decide once they settle.
        if (this.running > 0) return;
        this.parts.stopper.stop('soft', 'budget', admission.reason);
        continue;
      }
      this.queue.shift();
      this.running++;
      void this.call(job, admission.hold).finally(() => {
        this.running--;
        this.pump();
      });
    }
    if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private async call({ row, record, asked }: Job, hold: bigint): Promise<void> {
    const { client, budget } = this.parts;
    const outcome = await this.pool.run(
      rowTask(client, asked, {
        api: 'converse',
        stream: false,
        ...(this.parts.metadata ? { metadata: this.parts.metadata } : {}),
      }),
    );
    if (outcome.kind === 'notSent') {
      budget?.settle(hold, { costUsd: null, paid: false });
      this.counts.left++;
      return;
    }
    if (outcome.kind === 'ok') {
      const answer = replyRecord(asked, outcome.value, outcome, this.price);
      budget?.settle(hold, { costUsd: answer.cost_usd, paid: true });
      this.paid(answer.cost_usd);
      // In the ledger before the row is written: a kill after this never pays for it again.
      this.safely(() => this.parts.ledger.ledger?.recordAll([this.parts.ledger.entryFor(asked, answer)]));
      const fields = this.safely(() => verdictFields(answer, asked.fingerprint));
      if (fields) this.land(row, record, fields);
      return;
    }
    const { failure } = outcome;
    const cost = failure.paid ? failedCost(asked, failure.paid, this.price) : null;
    budget?.settle(hold, { costUsd: cost, paid: failure.paid !== undefined });
    this.paid(cost);
    this.counts.failed++;
    this.land(row, record, this.failed(failure, cost, asked.fingerprint), false);
  }

  private failed(failure: CallFailure, costUsd: number | null, hash: string): JudgeFields {
    const message = this.safely(() => this.parts.redact(failure.message)) ?? '';
    const paid = failure.paid;
    return failedFields(
      failure.code,
      message,
      { input: paid?.inputTokens ?? null, output: paid?.outputTokens ?? null, costUsd },
      hash,
    );
  }

  private paid(costUsd: number | null): void {
    if (costUsd !== null) this.counts.paidPico += picoFromUsd(costUsd);
  }

  private land(row: PlannedRow, record: ResultRecord, fields: JudgeFields, judged = true): void {
    if (judged) {
      this.counts.judged++;
      this.counted(fields.judge_pass);
    }
    this.safely(() => this.parts.write(row, { ...record, ...fields } as ResultRecord));
    this.parts.onJudged?.();
  }

  private counted(pass: unknown): void {
    if (pass === true || pass === 'true') this.counts.passed++;
  }

  /** Nothing between a verdict and the disk may throw: a problem is a warning. */
  private safely<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.parts.onWarning?.(`--judge: ${(error as Error).message}`);
      return undefined;
    }
  }
}
