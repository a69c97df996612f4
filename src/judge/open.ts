/**
 * The judge wired into a run: built from the spec and the run's parts (the engine's client, the
 * stopper, the budget, the ledger, the results file), it grades every ok row the run writes and
 * every ok row kept from an earlier run whose verdict is missing or was given under another
 * rubric or judge model. Also the summary's totals and line.
 */

import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { MetadataPlan } from '../bedrock/request-metadata.js';
import { Pricer } from '../cost/cost.js';
import { dollars, grouped, picoFromUsd, usdNumber } from '../cost/money.js';
import type { PriceTable } from '../cost/table.js';
import type { Budget } from '../engines/budget.js';
import type { Stopper } from '../engines/stopper.js';
import type { JobSpec } from '../job/spec.js';
import type { Journal } from '../output/journal.js';
import { type Layout, recordText, resultFieldsOf } from '../output/layout.js';
import type { PlannedRow } from '../plan/plan.js';
import type { ResultRecord } from '../types.js';
import { Judge, type JudgeLedger, type JudgeStats } from './judge.js';
import { judgeSetup } from './request.js';

export interface RunJudge {
  judge: Judge;
  model: string;
  /** A row kept from the results file: graded when its verdict is not this judge's. */
  keep(row: PlannedRow): void;
  /** A row written this run. */
  written(row: PlannedRow, record: ResultRecord): void;
}

export interface JudgeContext {
  client: BedrockRuntimeClient | undefined;
  stopper: Stopper;
  budget: Budget | undefined;
  prices: PriceTable;
  ledger: JudgeLedger;
  output: { layout: Layout; journal: Journal };
  redact: (text: string) => string;
  /** The run's request metadata plan: the judge's calls carry it as the answers' do. */
  metadata?: MetadataPlan;
  onWarning?: (message: string) => void;
}

export function openJudge(spec: JobSpec, context: JudgeContext): RunJudge | undefined {
  const setup = judgeSetup(spec);
  if (setup === undefined) return undefined;
  // Batch mode was refused for --judge (job/ondemand-only.ts): the on-demand engine has a client.
  if (context.client === undefined) throw new Error('--judge needs the on-demand engine');
  const { layout, journal } = context.output;
  const warn = context.onWarning;
  const judge = new Judge({
    setup,
    client: context.client,
    // Not --rpm/--tpm: those are the answering model's quotas; the judge's pool finds its own.
    pool: {
      concurrency: spec.concurrency,
      adaptive: spec.adaptive,
      retry: { maxAttempts: spec.maxAttempts, baseMs: spec.backoffBaseMs, capMs: spec.backoffCapMs },
      requestTimeoutMs: spec.requestTimeoutMs,
    },
    stopper: context.stopper,
    ...(context.budget ? { budget: context.budget } : {}),
    pricer: new Pricer(context.prices, warn),
    ledger: context.ledger,
    redact: context.redact,
    ...(context.metadata ? { metadata: context.metadata } : {}),
    write: (row, record) => journal.append(row.request.index, recordText(layout, record, row.request.row)),
    ...(warn ? { onWarning: warn } : {}),
  });
  return {
    judge,
    model: setup.model,
    keep(row) {
      const text = journal.recordAt(row.request.index);
      if (text) judge.consider(row, resultFieldsOf(layout, text.toString('utf8')));
    },
    written: (row, record) => judge.consider(row, record),
  };
}

export interface JudgeTotals {
  model: string;
  /** Ok answers with a verdict now: given this run, from the ledger, or kept in the results file. */
  judged: number;
  passed: number;
  /** Of those, from the answer ledger (no call) and kept from the results file. */
  reused: number;
  kept: number;
  /** Judge calls that failed: the answer is ok, judge_error says why. */
  failed: number;
  /** Ok answers left without a verdict because the run stopped. */
  notJudged: number;
  /** Judge calls made this run, retries included. */
  attempts: number;
  /** What this run paid for verdicts, apart from the answers' costUsd. */
  costUsd: number;
}

export function judgeTotals(model: string, stats: JudgeStats): JudgeTotals {
  return {
    model,
    judged: stats.judged + stats.kept,
    passed: stats.passed,
    reused: stats.reused,
    kept: stats.kept,
    failed: stats.failed,
    notJudged: stats.left,
    attempts: stats.attempts,
    costUsd: usdNumber(stats.paidPico),
  };
}

export function judgeLine(t: JudgeTotals): string {
  const share = t.judged === 0 ? '' : ` (${((t.passed / t.judged) * 100).toFixed(1)}%)`;
  const from = [
    t.reused > 0 ? `${grouped(t.reused)} from the ledger` : '',
    t.kept > 0 ? `${grouped(t.kept)} kept` : '',
    t.failed > 0 ? `${grouped(t.failed)} failed (judge_error)` : '',
    t.notJudged > 0 ? `${grouped(t.notJudged)} not judged (run again)` : '',
  ].filter(Boolean);
  return (
    `judge     ${grouped(t.passed)} of ${grouped(t.judged)} pass${share}, ` +
    `${dollars(picoFromUsd(t.costUsd))} for ${grouped(t.attempts)} judge calls (${t.model})` +
    (from.length > 0 ? `; ${from.join(', ')}` : '')
  );
}
