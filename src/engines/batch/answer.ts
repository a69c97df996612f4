/**
 * A batch record's answer under --json-schema, judged as an on-demand answer is
 * (ondemand/answer-judge.ts): a good one is kept with its JSON text; a bad one (not JSON, not
 * matching, cut off) becomes the row's error, `InvalidJson` or `SchemaMismatch`, with its tokens
 * paid and priced, and the next run asks again. A job cannot retry one record, so there is no
 * --json-retries here. A guardrail's blocked message is kept as it is, as on-demand.
 */
import type { CallFailure } from '../../bedrock/errors.js';
import type { PlannedRow } from '../../plan/plan.js';
import type { CallResult } from '../../types.js';
import { judgeAnswer } from '../ondemand/answer-judge.js';

export type Judged = { kind: 'ok'; value: CallResult } | { kind: 'bad'; failure: CallFailure };

export function judgeBatchAnswer(row: PlannedRow, value: CallResult): Judged {
  const plan = row.request.answer;
  if (plan === undefined || value.stopReason === 'guardrail_intervened') return { kind: 'ok', value };
  const verdict = judgeAnswer(plan, value);
  if (verdict.kind === 'ok') return { kind: 'ok', value: { ...value, text: verdict.text } };
  return {
    kind: 'bad',
    failure: {
      code: verdict.code,
      message: `the batch job's answer: ${verdict.message}`,
      retryable: false,
      throttle: false,
      usage: value.usage,
      paid: value.usage,
    },
  };
}
