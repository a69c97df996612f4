/** A row's model call as a pool task: what it reserves, how to attempt it, how to read a failure. */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
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
  const reserve = reservation(request);
  return {
    reserve,
    attempt: (signal) => callModel(client, request, options, signal),
    // What Bedrock's quota finally counts: input (cache writes included) and output; cache reads
    // are given back at settlement.
    used: (result) => result.usage.inputTokens + result.usage.cacheWriteTokens + result.usage.outputTokens,
    // A throttled call reserved nothing on Bedrock; any other failure used its input.
    usedOnFailure: (failure) => (failure.throttle ? 0 : reserve.input),
    classify: classifyError,
  };
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
