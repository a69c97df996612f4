/**
 * Amazon Nova (reference §5.3): a Converse-shaped native body with `inferenceConfig.max_new_tokens`
 * (or `maxTokens`), Converse's stop reasons, `usage` in camelCase, and Converse-style objects as
 * stream chunks. A top-level `max_tokens` is refused, as Nova's schema has no such key.
 */
import type { ModelInfo } from '../catalogue.js';
import { checkMessages } from '../converse.js';
import { canonicalJson, type Generation, type Planned } from '../generation.js';
import { SchemaViolations } from '../validate.js';
import { blockTexts, defaultMax, type Family, type NativeChunk } from './family.js';

const TOP = ['schemaVersion', 'system', 'messages', 'inferenceConfig', 'toolConfig'];
const CONFIG = ['max_new_tokens', 'maxTokens', 'temperature', 'topP', 'topK', 'stopSequences'];

function parse(raw: unknown, model: ModelInfo): Generation {
  const v = new SchemaViolations();
  const request = v.root(raw);
  v.keys('#', request, ['messages'], TOP);
  if (request.messages !== undefined && !Array.isArray(request.messages))
    v.add('#/messages', 'expected type: JSONArray');
  if (request.system !== undefined && !Array.isArray(request.system))
    v.add('#/system', 'expected type: JSONArray');
  const config = v.object('#/inferenceConfig', request.inferenceConfig) ?? {};
  v.keys('#/inferenceConfig', config, [], CONFIG);
  for (const key of ['max_new_tokens', 'maxTokens'])
    v.number(`#/inferenceConfig/${key}`, config[key], 1, model.maxOutputTokens, true);
  v.number('#/inferenceConfig/temperature', config.temperature, 0, 1);
  v.number('#/inferenceConfig/topP', config.topP, 0, 1);
  v.number('#/inferenceConfig/topK', config.topK, 0, Number.MAX_SAFE_INTEGER, true);
  v.strings('#/inferenceConfig/stopSequences', config.stopSequences);
  v.throwIfAny();

  const texts = blockTexts(request.system);
  checkMessages(request.messages as unknown[], texts);
  const { max_new_tokens, maxTokens, stopSequences, ...seeded } = config;
  return {
    model,
    texts,
    maxTokens: ((max_new_tokens ?? maxTokens) as number | undefined) ?? defaultMax(model, 4096),
    stopSequences: (stopSequences as string[] | undefined) ?? [],
    canonical: canonicalJson({ ...request, inferenceConfig: seeded }),
  };
}

function response(planned: Planned): Record<string, unknown> {
  const { reply, inputTokens } = planned;
  return {
    output: { message: { role: 'assistant', content: [{ text: reply.text }] } },
    stopReason: reply.stopReason,
    usage: {
      inputTokens,
      outputTokens: reply.outputTokens,
      totalTokens: inputTokens + reply.outputTokens,
      cacheReadInputTokenCount: 0,
      cacheWriteInputTokenCount: 0,
    },
  };
}

function stream(planned: Planned): NativeChunk[] {
  const { reply, inputTokens } = planned;
  return [
    { body: { messageStart: { role: 'assistant' } }, delta: false },
    ...reply.pieces.map((text) => ({
      body: { contentBlockDelta: { delta: { text }, contentBlockIndex: 0 } },
      delta: true,
    })),
    { body: { contentBlockStop: { contentBlockIndex: 0 } }, delta: false },
    { body: { messageStop: { stopReason: reply.stopReason } }, delta: false },
    {
      body: {
        metadata: { usage: { inputTokens, outputTokens: reply.outputTokens }, metrics: {}, trace: {} },
      },
      delta: false,
    },
  ];
}

export const nova: Family = { parse, response, stream };
