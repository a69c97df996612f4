/**
 * The judge's result fields and how a verdict becomes them. A verdict is kept in the answer ledger
 * as an ordinary answer of its own request (the judge's JSON reply, tokens, cost_usd), so these
 * fields are derived from such an answer wherever it came from: a call just made or the ledger.
 */
import type { ResultRecord } from '../types.js';

/** Written after the others, with --judge. */
export const JUDGE_FIELDS = [
  'judge_pass',
  'judge_score',
  'judge_reason',
  'judge_input_tokens',
  'judge_output_tokens',
  'judge_cost_usd',
  'judge_error',
  'judge_hash',
] as const;

export type JudgeFields = Record<(typeof JUDGE_FIELDS)[number], unknown>;

export function isJudgeField(name: string): boolean {
  return (JUDGE_FIELDS as readonly string[]).includes(name);
}

/** The fields of a verdict the judge gave (its answer record: a reply that passed the schema). */
export function verdictFields(answer: Partial<ResultRecord>, hash: string): JudgeFields {
  const value = JSON.parse(answer.response ?? '') as { pass: boolean; score: number; reason: string };
  return {
    judge_pass: value.pass,
    judge_score: value.score,
    judge_reason: value.reason,
    judge_input_tokens: answer.input_tokens ?? null,
    judge_output_tokens: answer.output_tokens ?? null,
    judge_cost_usd: answer.cost_usd ?? null,
    judge_error: '',
    judge_hash: hash,
  };
}

/** A judge call that failed: the answer stays ok; the error says why it has no verdict. */
export function failedFields(
  code: string,
  message: string,
  paid: { input: number | null; output: number | null; costUsd: number | null },
  hash: string,
): JudgeFields {
  return {
    judge_pass: null,
    judge_score: null,
    judge_reason: '',
    judge_input_tokens: paid.input,
    judge_output_tokens: paid.output,
    judge_cost_usd: paid.costUsd,
    judge_error: `${code}: ${message}`,
    judge_hash: hash,
  };
}

/** A record already holding a good verdict for this judge request (kept from the results file). */
export function hasVerdict(record: Record<string, unknown>, hash: string): boolean {
  const pass = record.judge_pass;
  return (
    record.judge_hash === hash &&
    (record.judge_error ?? '') === '' &&
    pass !== undefined &&
    pass !== null &&
    pass !== ''
  );
}
