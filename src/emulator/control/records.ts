/**
 * One batch record answered by the same model code as an on-demand call: the record's modelInput
 * is validated and answered as an InvokeModel body (InvokeModel-type jobs) or a Converse request
 * (Converse-type jobs), directives included. A failure becomes the record's `error`, as Bedrock
 * writes it: `{errorCode: <HTTP status>, errorMessage}`.
 *
 * Directives in a job: each record is one arrival (counted apart from on-demand calls, so a test
 * can make a record fail in the batch and succeed when re-run on demand with `fail=1:...`);
 * `error` and `fail` fail the record; `throttle` and `latency` do nothing, as Bedrock paces and
 * retries throttles inside a job itself.
 */

import { type Arrivals, scripted } from '../behaviour/directives.js';
import { plan } from '../behaviour/generation.js';
import type { ModelInfo } from '../catalogue/catalogue.js';
import { plainResponse, prepare } from '../runtime/operations.js';
import { EmulatedError } from '../wire/exceptions.js';
import type { InvocationType } from './job.js';

export type Answer =
  | { ok: true; modelOutput: unknown; inputTokens: number; outputTokens: number }
  | { ok: false; error: { errorCode: number; errorMessage: string } };

const TOOLS_ON_CONVERSE =
  'Tool use is not supported for batch inference jobs of type Converse. Use modelInvocationType InvokeModel.';

export function answerRecord(
  type: InvocationType,
  model: ModelInfo,
  modelInput: Record<string, unknown>,
  arrivals: Arrivals,
  recordId: string,
): Answer {
  try {
    if (type === 'Converse' && modelInput.toolConfig !== undefined)
      throw new EmulatedError('ValidationException', TOOLS_ON_CONVERSE);
    const operation = type === 'Converse' ? 'converse' : 'invoke';
    const body = Buffer.from(JSON.stringify(modelInput));
    const call = prepare(operation, model, body, () => undefined);
    const planned = plan(call.generation);
    const { error, fail } = planned.directives;
    if (error || fail) {
      const script = scripted(
        { ...planned.directives, throttle: 0 },
        arrivals.arrive(`batch-${operation}`, model.id, body),
      );
      if (script?.kind === 'fail') throw new EmulatedError(script.exception);
    }
    const { body: modelOutput } = plainResponse(call, planned, 0, `batch-${recordId}`);
    return {
      ok: true,
      modelOutput,
      inputTokens: planned.inputTokens,
      outputTokens: planned.reply.outputTokens,
    };
  } catch (error) {
    const known = error instanceof EmulatedError ? error : new EmulatedError('InternalServerException');
    return { ok: false, error: { errorCode: known.status, errorMessage: known.message } };
  }
}

/** The record's line in the output file, as Bedrock writes it. */
export function outputLine(record: { recordId: string; modelInput: unknown }, answer: Answer): string {
  const { recordId, modelInput } = record;
  return JSON.stringify(
    answer.ok
      ? { recordId, modelInput, modelOutput: answer.modelOutput }
      : { recordId, modelInput, error: answer.error },
  );
}
