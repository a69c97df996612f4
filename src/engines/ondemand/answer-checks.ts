/**
 * Bad answers retried like transient errors. `answerPolicy` says, given a call's result, whether to
 * accept it, retry it (with a higher max_tokens after a truncation: doubled, capped at the model's
 * limit) or fail the row with `InvalidJson` / `SchemaMismatch` once `--json-retries` is spent.
 * `withAnswerChecks` applies it to a row's pool task: a bad answer is thrown as a retryable
 * failure, so the pool's one retry layer counts it in `attempts` and backs off as for any other.
 */
import type { CallFailure } from '../../bedrock/errors.js';
import type { Task } from '../../pool/pool.js';
import type { AnswerPlan, CallResult, PromptRequest, Usage } from '../../types.js';
import { type AnswerCode, judgeAnswer } from './answer-judge.js';

export type AnswerDecision =
  | { kind: 'accept'; result: CallResult }
  | { kind: 'retry'; maxTokens: number; code: AnswerCode; message: string }
  | { kind: 'fail'; code: AnswerCode; message: string };

/** A stateful judge for one row: it counts the bad answers it has seen. */
export function answerPolicy(plan: AnswerPlan, startMaxTokens: number) {
  let bad = 0;
  let maxTokens = startMaxTokens;
  return {
    get maxTokens() {
      return maxTokens;
    },
    decide(result: CallResult): AnswerDecision {
      // A guardrail's blocked message is not JSON, and asking again pays its units again: kept as it is.
      if (result.stopReason === 'guardrail_intervened') return { kind: 'accept', result };
      const verdict = judgeAnswer(plan, result);
      if (verdict.kind === 'ok') return { kind: 'accept', result: { ...result, text: verdict.text } };
      bad++;
      const spent = bad > plan.retries;
      if (verdict.truncated) {
        const raised = Math.min(maxTokens * 2, plan.maxTokensLimit);
        // At the model's limit a longer answer cannot be asked for: retrying would cut it again.
        if (raised <= maxTokens || spent)
          return {
            kind: 'fail',
            code: verdict.code,
            message: `${verdict.message} (max_tokens ${maxTokens})`,
          };
        maxTokens = raised;
        return { kind: 'retry', maxTokens, code: verdict.code, message: verdict.message };
      }
      if (spent) {
        const tries =
          plan.retries === 0 ? '' : ` (after ${plan.retries} ${plan.retries === 1 ? 'retry' : 'retries'})`;
        return { kind: 'fail', code: verdict.code, message: `${verdict.message}${tries}` };
      }
      return { kind: 'retry', maxTokens, code: verdict.code, message: verdict.message };
    },
  };
}

/** Thrown by an attempt whose answer was bad; classified by `withAnswerChecks`. */
export class BadAnswer extends Error {
  constructor(
    readonly code: AnswerCode,
    message: string,
    readonly retryable: boolean,
    /** This answer's tokens, and the row's bad answers' so far (this one included). */
    readonly usage: Usage,
    readonly paid: Usage,
  ) {
    super(message);
  }
}

/**
 * The row task with the answer checked after every attempt. `call` makes one call for a request
 * (the row task's own call), given the request with the current max_tokens.
 */
export function withAnswerChecks(
  task: Task<CallResult, CallFailure>,
  request: PromptRequest,
  call: (request: PromptRequest, signal: AbortSignal) => Promise<CallResult>,
): Task<CallResult, CallFailure> {
  const plan = request.answer;
  if (plan === undefined) return task;
  const policy = answerPolicy(plan, request.inference.maxTokens);
  // Bad answers were generated and billed: the row's tokens (and so its cost) include them, ok or
  // an error row in the end.
  let paid: Usage | undefined;
  const first = task.reserve;
  return {
    ...task,
    // A retry after a truncation asks for more output, and so reserves more of a token quota.
    get reserve() {
      const output = policy.maxTokens;
      if (output === first.output) return first;
      const scale = output / Math.max(1, first.output);
      return {
        ...first,
        output,
        ...(first.mostCounted === undefined
          ? {}
          : { mostCounted: first.input + Math.round((first.mostCounted - first.input) * scale) }),
      };
    },
    attempt: async (signal) => {
      const sent =
        policy.maxTokens === request.inference.maxTokens
          ? request
          : { ...request, inference: { ...request.inference, maxTokens: policy.maxTokens } };
      const result = await call(sent, signal);
      const decision = policy.decide(result);
      if (decision.kind === 'accept')
        return paid ? { ...decision.result, usage: addUsage(paid, decision.result.usage) } : decision.result;
      paid = paid ? addUsage(paid, result.usage) : result.usage;
      throw new BadAnswer(decision.code, decision.message, decision.kind === 'retry', result.usage, paid);
    },
    classify: (error) =>
      error instanceof BadAnswer
        ? {
            code: error.code,
            message: error.message,
            retryable: error.retryable,
            throttle: false,
            usage: error.usage,
            paid: error.paid,
          }
        : task.classify(error),
  };
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    ...(a.cacheWrite1hTokens === undefined && b.cacheWrite1hTokens === undefined
      ? {}
      : { cacheWrite1hTokens: (a.cacheWrite1hTokens ?? 0) + (b.cacheWrite1hTokens ?? 0) }),
  };
}
