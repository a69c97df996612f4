/** One Converse call: a PromptRequest in, a CallResult in Converse's vocabulary out. */
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import type { CallResult, PromptRequest } from '../types.js';
import { shapeConverseInput } from './answer-wire.js';
import { cachePointFor, converseTopK } from './families/index.js';
import { converseGuardrail, guardrailConfig } from './guardrail.js';
import { toolInputOf, withToolInput } from './tool-input.js';

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
  if (request.system !== undefined && request.cacheSystem !== undefined)
    input.system?.push({ cachePoint: cachePointOf(request) });
  if (request.serviceTier !== undefined) input.serviceTier = { type: request.serviceTier };
  Object.assign(input, guardrailConfig(request));
  // Converse has no topK; each family takes it as its own native field.
  if (inference.topK !== undefined) {
    input.additionalModelRequestFields = converseTopK(request.model, inference.topK) as Record<string, never>;
  }
  // --attach and --json-schema (answer-wire.ts)
  return shapeConverseInput(input, request);
}

/** --tag, run_id and row_id as `requestMetadata`: added at send time, so never in a fingerprint. */
export function withMetadata(
  input: ConverseCommandInput,
  metadata: Record<string, string> | undefined,
): ConverseCommandInput {
  return metadata === undefined ? input : { ...input, requestMetadata: metadata };
}

/** The cache point after the system prompt, in the family's own form (Nova takes no 5m ttl). */
export function cachePointOf(request: PromptRequest): { type: 'default'; ttl?: '5m' | '1h' } {
  return cachePointFor(request.model, request.cacheSystem) as { type: 'default'; ttl?: '5m' | '1h' };
}

export async function converse(
  client: BedrockRuntimeClient,
  request: PromptRequest,
  signal: AbortSignal,
  metadata?: Record<string, string>,
): Promise<CallResult> {
  const output = await client.send(new ConverseCommand(withMetadata(converseInput(request), metadata)), {
    abortSignal: signal,
  });
  return converseResult(output, request);
}

export function converseResult(output: ConverseCommandOutput, request?: PromptRequest): CallResult {
  const content = output.output?.message?.content ?? [];
  const usage = output.usage;
  // A count the response lacks is NaN, not 0: the sink records it as unknown.
  const inputTokens = usage?.inputTokens ?? Number.NaN;
  const outputTokens = usage?.outputTokens ?? Number.NaN;
  const result: CallResult = {
    text: content.map((block) => block.text ?? '').join(''),
    stopReason: output.stopReason ?? '',
    usage: {
      inputTokens,
      outputTokens,
      totalTokens: usage?.totalTokens ?? inputTokens + outputTokens,
      cacheReadTokens: usage?.cacheReadInputTokens ?? 0,
      cacheWriteTokens: usage?.cacheWriteInputTokens ?? 0,
      ...hourWrites(usage?.cacheDetails),
    },
    ...(output.serviceTier?.type ? { serviceTier: output.serviceTier.type } : {}),
  };
  const guardrail = request && converseGuardrail(request, result.stopReason, output.trace);
  if (guardrail) result.guardrail = guardrail;
  // A forced answer tool answers in a toolUse block.
  return withToolInput(result, toolInputOf(content));
}

/** The 1-hour share of the cache writes, from `cacheDetails` (writes by TTL); absent when none. */
export function hourWrites(details: Array<{ ttl?: string; inputTokens?: number }> | undefined): {
  cacheWrite1hTokens?: number;
} {
  const hour = (details ?? []).filter((d) => d.ttl === '1h').reduce((n, d) => n + (d.inputTokens ?? 0), 0);
  return hour > 0 ? { cacheWrite1hTokens: hour } : {};
}
