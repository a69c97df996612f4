/** A row's model call as a pool task: what it reserves, how to attempt it, how to read a failure. */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { withAnswerChecks } from '../answers/retry.js';
import { type CallOptions, callModel } from '../bedrock/call.js';
import { type CallFailure, classifyError } from '../bedrock/errors.js';
import { invokeBody, UnsupportedRequest } from '../bedrock/native/bodies.js';
import type { Task } from '../pool/pool.js';
import type { CallResult, PromptRequest } from '../types.js';
import { reservation } from './scan.js';

export function rowTask(
  client: BedrockRuntimeClient,
  request: PromptRequest,
  options: CallOptions,
): Task<CallResult, CallFailure> {
  const task: Task<CallResult, CallFailure> = {
    reserve: reservation(request),
    attempt: (signal) => callModel(client, request, options, signal),
    // What Bedrock's quota finally counts: input (cache writes included) and output; cache reads
    // are given back at settlement.
    used: (result) => result.usage.inputTokens + result.usage.cacheWriteTokens + result.usage.outputTokens,
    classify: classifyError,
  };
  // --json-schema: a bad answer is retried like a transient error, then an error row.
  return withAnswerChecks(task, request, (sent, signal) => callModel(client, sent, options, signal));
}

/** Why a request cannot go through InvokeModel (checked for every row before anything is sent). */
export function invokeProblem(request: PromptRequest): string | undefined {
  try {
    invokeBody(request);
    return undefined;
  } catch (error) {
    if (error instanceof UnsupportedRequest) return error.message;
    throw error;
  }
}
