/** One Converse call: a PromptRequest in, a CallResult in Converse's vocabulary out. */
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { toolInputOf, withToolInput } from '../answers/tool-input.js';
import { shapeConverseInput } from '../answers/wire.js';
import type { CallResult, PromptRequest } from '../types.js';
import { familyOf } from './models.js';

export function converseInput(request: PromptRequest): ConverseCommandInput {
  const { inference } = request;
  const input: ConverseCommandInput = {
    modelId: request.model,
    messages: request.messages as Message[],
    inferenceConfig: {
      maxTokens: inference.maxTokens,
      ...(inference.temperature === undefined ? {} : { temperature: inference.temperature }),
      ...(inference.topP === undefined ? {} : { topP: inference.topP }),
      ...(inference.stopSequences.length === 0 ? {} : { stopSequences: inference.stopSequences }),
    },
  };
  if (request.system !== undefined) input.system = [{ text: request.system }];
  // Converse has no topK; each family takes it as its own native field.
  if (inference.topK !== undefined) {
    input.additionalModelRequestFields =
      familyOf(request.model) === 'nova'
        ? { inferenceConfig: { topK: inference.topK } }
        : { top_k: inference.topK };
  }
  return shapeConverseInput(input, request);
}

export async function converse(
  client: BedrockRuntimeClient,
  request: PromptRequest,
  signal: AbortSignal,
): Promise<CallResult> {
  const output = await client.send(new ConverseCommand(converseInput(request)), { abortSignal: signal });
  return converseResult(output);
}

export function converseResult(output: ConverseCommandOutput): CallResult {
  const content = output.output?.message?.content ?? [];
  const usage = output.usage;
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  return withToolInput(
    {
      text: content.map((block) => block.text ?? '').join(''),
      stopReason: output.stopReason ?? '',
      usage: {
        inputTokens,
        outputTokens,
        totalTokens: usage?.totalTokens ?? inputTokens + outputTokens,
        cacheReadTokens: usage?.cacheReadInputTokens ?? 0,
        cacheWriteTokens: usage?.cacheWriteInputTokens ?? 0,
      },
    },
    toolInputOf(content),
  );
}
