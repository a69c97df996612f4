/** A planned row's model call as a pool task: what it reserves, how to attempt it, how to read a failure. */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { type CallOptions, callModel } from '../../bedrock/call.js';
import { type CallFailure, classifyError } from '../../bedrock/errors.js';
import { burndownOf, quotaSettled } from '../../bedrock/models.js';
import type { PlannedRow } from '../../plan/plan.js';
import type { Task } from '../../pool/pool.js';
import type { CallResult } from '../../types.js';
import { withAnswerChecks } from './answer-checks.js';

export function rowTask(
  client: BedrockRuntimeClient,
  row: PlannedRow,
  options: CallOptions,
): Task<CallResult, CallFailure> {
  const settled = (usage: CallResult['usage']) => {
    const used = quotaSettled(row.request.model, usage);
    return Number.isFinite(used) && used >= 0 ? used : row.reserve.input + row.reserve.output;
  };
  const task: Task<CallResult, CallFailure> = {
    // Output burndown makes a call count more than it reserved, at worst all its output x burndown.
    reserve: {
      ...row.reserve,
      mostCounted: row.reserve.input + row.reserve.output * burndownOf(row.request.model),
    },
    attempt: (signal) => callModel(client, row.request, options, signal),
    // What Bedrock's quota finally counts: input, cache writes, and output times the model's
    // burndown (Claude 4: 5, so a call often counts more than it reserved); cache reads are given
    // back. A response without usage settles at what was reserved.
    used: (result) => settled(result.usage),
    // Bedrock's rule for failures: a throttled call reserved nothing; any other one used its input,
    // and a bad answer (--json-schema) was generated: it counts as any answer does.
    usedOnFailure: (failure) =>
      failure.usage ? settled(failure.usage) : failure.throttle ? 0 : row.reserve.input,
    classify: classifyError,
  };
  // --json-schema: a bad answer is retried like a transient error, then an error row.
  return withAnswerChecks(task, row.request, (sent, signal) => callModel(client, sent, options, signal));
}
