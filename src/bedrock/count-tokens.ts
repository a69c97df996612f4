/**
 * Exact input-token counts from Bedrock's CountTokens, for `estimate --count-tokens api`: the
 * request is sent as Converse messages (or, for a batch record, as its InvokeModel body) to the
 * base model, which is what CountTokens accepts. Each count is a pool task, so it is retried by the
 * same one retry layer as every model call (backoff with jitter, retry-after, abortable waits).
 */
import {
  type BedrockRuntimeClient,
  CountTokensCommand,
  type CountTokensCommandInput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import type { Task } from '../pool/pool.js';
import type { PromptRequest } from '../types.js';
import { shapeCountTokensInput, withLoadedAttachments } from './answer-wire.js';
import { type CallFailure, classifyError } from './errors.js';
import { baseModelId } from './models.js';

export function countTokensInput(request: PromptRequest): CountTokensCommandInput {
  const modelId = baseModelId(request.model);
  if (request.nativeBody !== undefined) {
    return {
      modelId,
      input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(request.nativeBody)) } },
    };
  }
  return {
    modelId,
    input: {
      // --attach and a forced answer tool count too (answer-wire.ts).
      converse: shapeCountTokensInput(
        {
          messages: request.messages as Message[],
          ...(request.system === undefined ? {} : { system: [{ text: request.system }] }),
        },
        request,
      ),
    },
  };
}

/** A CountTokens call for one request, as a pool task. */
export type CountTask = (request: PromptRequest) => Task<number, CallFailure>;

export function countTokensTask(client: BedrockRuntimeClient): CountTask {
  return (request) => ({
    reserve: { input: 0, output: 0 },
    attempt: async (signal) => {
      const loaded = await withLoadedAttachments(request);
      const output = await client.send(new CountTokensCommand(countTokensInput(loaded)), {
        abortSignal: signal,
      });
      if (typeof output.inputTokens !== 'number')
        throw new Error('the CountTokens response has no inputTokens');
      return output.inputTokens;
    },
    used: () => 0,
    usedOnFailure: () => 0,
    classify: classifyError,
  });
}
