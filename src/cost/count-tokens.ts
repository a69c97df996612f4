/**
 * Exact input-token counts from Bedrock's CountTokens, for `estimate --count-tokens api`: the
 * request is sent as Converse messages (or, for a batch record, as its InvokeModel body) to the
 * base model, which is what CountTokens accepts. Retryable failures (throttles, 5xx, network) are
 * retried a few times with jittered backoff; anything else stops the estimate with a message that
 * names the row and the model.
 */
import {
  type BedrockRuntimeClient,
  CountTokensCommand,
  type CountTokensCommandInput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { classifyError } from '../bedrock/errors.js';
import { baseModelId } from '../bedrock/models.js';
import { RunBatchError } from '../errors.js';
import type { PromptRequest } from '../types.js';
import type { TokenCounter } from './estimate.js';

const ATTEMPTS = 5;
const BASE_DELAY_MS = 250;

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
      converse: {
        messages: request.messages as Message[],
        ...(request.system === undefined ? {} : { system: [{ text: request.system }] }),
      },
    },
  };
}

/** A TokenCounter over a Bedrock Runtime client; `label` names the input file in messages. */
export function bedrockCounter(client: BedrockRuntimeClient, label: string): TokenCounter {
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await client.send(new CountTokensCommand(countTokensInput(request)));
        if (typeof output.inputTokens !== 'number') throw new Error('the response has no inputTokens');
        return output.inputTokens;
      } catch (error) {
        const failure = classifyError(error);
        if (!failure.retryable || attempt >= ATTEMPTS) {
          throw new RunBatchError(
            'USAGE',
            `--count-tokens api: CountTokens failed for row "${request.id}" (${label}:${request.line}, model ${request.model}): ` +
              `${failure.code}: ${failure.message}; use --count-tokens local for the local estimate`,
            { cause: error },
          );
        }
        const backoff = Math.random() * BASE_DELAY_MS * 2 ** attempt;
        await new Promise((resolve) => setTimeout(resolve, Math.max(backoff, failure.retryAfterMs ?? 0)));
      }
    }
  };
}
