/**
 * Amazon Nova (reference §5.3): a Converse-shaped native body with `inferenceConfig.max_new_tokens`
 * (or `maxTokens`), Converse's stop reasons, `usage` in camelCase, and Converse-style objects as
 * stream chunks. A top-level `max_tokens` is refused, as Nova's schema has no such key.
 */

import { canonicalJson, type Generation, type Planned } from '../../behaviour/generation.js';
import type { ModelInfo } from '../../catalogue/catalogue.js';
import { EmulatedError } from '../../wire/exceptions.js';
import { SchemaViolations } from '../../wire/validate.js';
import { TOO_LONG } from '../converse.js';
import { walkPrompt } from '../converse-content.js';
import { type Family, type NativeChunk, outputLimit } from './family.js';

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

  const prompt = walkPrompt(
    model,
    request.messages as unknown[],
    request.system as unknown[] | undefined,
    request.toolConfig,
  );
  if (prompt.prefix.tokens > model.contextWindow) throw new EmulatedError('ValidationException', TOO_LONG);
  const { max_new_tokens, maxTokens, stopSequences, ...seeded } = config;
  return {
    model,
    texts: prompt.texts,
    inputTokens: prompt.prefix.tokens,
    tools: prompt.tools,
    ...(prompt.toolChoice ? { toolChoice: prompt.toolChoice } : {}),
    lastUserText: prompt.lastUserText,
    afterToolResult: prompt.afterToolResult,
    cachePoints: prompt.prefix.points,
    ...outputLimit(model, max_new_tokens ?? maxTokens, 4096),
    stopSequences: (stopSequences as string[] | undefined) ?? [],
    canonical: canonicalJson({ ...request, inferenceConfig: seeded }),
  };
}

function content(planned: Planned): unknown[] {
  const blocks: unknown[] = [];
  if (planned.reply.text !== '' || !planned.tool) blocks.push({ text: planned.reply.text });
  if (planned.tool) {
    const input = planned.tool.complete ? planned.tool.input : {};
    blocks.push({
      toolUse: { toolUseId: `tooluse_${planned.tool.idSuffix}`, name: planned.tool.name, input },
    });
  }
  return blocks;
}

function usage(planned: Planned): Record<string, number> {
  const { inputTokens, outputTokens, cache } = planned;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens + cache.read + cache.write,
    cacheReadInputTokenCount: cache.read,
    cacheWriteInputTokenCount: cache.write,
  };
}

function response(planned: Planned): Record<string, unknown> {
  return {
    output: { message: { role: 'assistant', content: content(planned) } },
    stopReason: planned.stopReason,
    usage: usage(planned),
  };
}

/** Converse-style chunks: text deltas at index 0, then a tool call's start and input pieces. */
function stream(planned: Planned): NativeChunk[] {
  const { reply, tool } = planned;
  const chunks: NativeChunk[] = [{ body: { messageStart: { role: 'assistant' } }, delta: false }];
  let index = 0;
  if (reply.pieces.length > 0 || !tool) {
    for (const text of reply.pieces)
      chunks.push({
        body: { contentBlockDelta: { delta: { text }, contentBlockIndex: index } },
        delta: true,
      });
    chunks.push({ body: { contentBlockStop: { contentBlockIndex: index } }, delta: false });
    index++;
  }
  if (tool) {
    const start = { toolUse: { toolUseId: `tooluse_${tool.idSuffix}`, name: tool.name } };
    chunks.push({ body: { contentBlockStart: { start, contentBlockIndex: index } }, delta: false });
    for (const input of tool.pieces)
      chunks.push({
        body: { contentBlockDelta: { delta: { toolUse: { input } }, contentBlockIndex: index } },
        delta: true,
      });
    chunks.push({ body: { contentBlockStop: { contentBlockIndex: index } }, delta: false });
  }
  chunks.push({ body: { messageStop: { stopReason: planned.stopReason } }, delta: false });
  chunks.push({ body: { metadata: { usage: usage(planned), metrics: {}, trace: {} } }, delta: false });
  return chunks;
}

export const nova: Family = { parse, response, stream };
