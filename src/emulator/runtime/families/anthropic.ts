/**
 * Anthropic Claude Messages on Bedrock (reference §5.1, §2.5, §10): the body is checked against the
 * schema first (Bedrock's `Malformed input request: ...` wording), then as Anthropic's API checks
 * it. Both API versions the official SDKs send are accepted (`bedrock-2023-05-31`, and `2026-10-21`
 * from @anthropic-ai/bedrock-sdk 1.x). Tools, `tool_choice`, `output_config.format` (and the
 * deprecated `output_format`), `thinking` and `cache_control` are honoured. Responses carry a
 * `msg_bdrk_` id, the model name without provider prefix and version, and Anthropic's usage.
 */
import { createHash } from 'node:crypto';
import { canonicalWithout, type Generation, type Planned } from '../../behaviour/generation.js';
import type { ModelInfo } from '../../catalogue/catalogue.js';
import { EmulatedError } from '../../wire/exceptions.js';
import { SchemaViolations } from '../../wire/validate.js';
import { checkClaude } from '../claude.js';
import { checkSchema, TOO_LONG } from '../converse.js';
import { walkAnthropic } from './anthropic-prompt.js';
import type { Family, NativeChunk, ReplyContext } from './family.js';

export const ANTHROPIC_VERSIONS = ['bedrock-2023-05-31', '2026-10-21'];
const REQUIRED = ['anthropic_version', 'max_tokens', 'messages'];
const ALLOWED = [
  ...REQUIRED,
  'anthropic_beta',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'output_format',
  'metadata',
];

function parse(raw: unknown, model: ModelInfo): Generation {
  const v = new SchemaViolations();
  const request = v.root(raw);
  v.keys('#', request, REQUIRED, ALLOWED);
  const version = request.anthropic_version;
  if (version !== undefined && !ANTHROPIC_VERSIONS.includes(version as string))
    v.add('#/anthropic_version', `${String(version)} is not a valid enum value`);
  v.strings('#/anthropic_beta', request.anthropic_beta);
  v.number('#/max_tokens', request.max_tokens, 1, Number.MAX_SAFE_INTEGER, true);
  v.number('#/temperature', request.temperature, 0, 1);
  v.number('#/top_p', request.top_p, 0, 1);
  v.number('#/top_k', request.top_k, 0, Number.MAX_SAFE_INTEGER, true);
  v.strings('#/stop_sequences', request.stop_sequences);
  if (request.system !== undefined && typeof request.system !== 'string' && !Array.isArray(request.system))
    v.add('#/system', 'expected type: String or JSONArray');
  if (request.tools !== undefined && !Array.isArray(request.tools))
    v.add('#/tools', 'expected type: JSONArray');
  const messages = request.messages;
  if (messages !== undefined && !Array.isArray(messages)) v.add('#/messages', 'expected type: JSONArray');
  for (const [i, message] of (Array.isArray(messages) ? messages : []).entries()) {
    const m = v.object(`#/messages/${i}`, message);
    if (!m) continue;
    v.keys(`#/messages/${i}`, m, ['role', 'content'], ['role', 'content']);
    if (m.role !== undefined && m.role !== 'user' && m.role !== 'assistant')
      v.add(`#/messages/${i}/role`, `${String(m.role)} is not a valid enum value`);
    if (m.content !== undefined && typeof m.content !== 'string' && !Array.isArray(m.content))
      v.add(`#/messages/${i}/content`, 'expected type: String or JSONArray');
  }
  v.throwIfAny();

  const list = messages as Array<{ role: string; content: unknown }>;
  checkConversation(list);
  const maxTokens = request.max_tokens as number;
  if (maxTokens > model.maxOutputTokens) {
    throw new EmulatedError(
      'ValidationException',
      `max_tokens: ${maxTokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.anthropicName}`,
    );
  }
  const prompt = walkAnthropic(model, request);
  if (prompt.prefix.tokens > model.contextWindow) throw new EmulatedError('ValidationException', TOO_LONG);
  const thinkingBudget = checkClaude(model, request.thinking, {
    maxTokens,
    temperature: request.temperature,
    topP: request.top_p,
    topK: request.top_k,
    toolChoice: prompt.toolChoice,
  });
  const outputSchema = nativeSchema(model, request.output_config ?? request.output_format, request);
  return {
    model,
    texts: prompt.texts,
    maxTokens,
    stopSequences: (request.stop_sequences as string[] | undefined) ?? [],
    inputTokens: prompt.prefix.tokens,
    tools: prompt.tools,
    ...(prompt.toolChoice ? { toolChoice: prompt.toolChoice } : {}),
    lastUserText: prompt.lastUserText,
    afterToolResult: prompt.afterToolResult,
    ...(outputSchema === undefined ? {} : { outputSchema }),
    ...(thinkingBudget === undefined ? {} : { thinkingBudget }),
    cachePoints: prompt.prefix.points,
    // The API version and betas do not change what the model writes.
    canonical: canonicalWithout(request, [
      'max_tokens',
      'stop_sequences',
      'anthropic_version',
      'anthropic_beta',
    ]),
  };
}

/** `output_config: {format: {type: "json_schema", schema}}` (or the older `output_format`). */
function nativeSchema(model: ModelInfo, config: unknown, request: Record<string, unknown>): unknown {
  if (config === undefined || config === null || typeof config !== 'object') return undefined;
  const format = 'output_config' in request ? (config as Record<string, unknown>).format : config;
  if (format === undefined) return undefined;
  const key = 'output_config' in request ? 'output_config.format' : 'output_format';
  if (!model.features.includes('structured-output'))
    throw new EmulatedError('ValidationException', `${key}: Extra inputs are not permitted`);
  const schema = (format as Record<string, unknown>).schema;
  checkSchema(schema, model);
  return schema;
}

/** Anthropic's own conversation rules, in its API's wording (Bedrock passes them through). */
function checkConversation(messages: Array<{ role: string; content: unknown }>): void {
  const fail = (message: string): never => {
    throw new EmulatedError('ValidationException', message);
  };
  if (messages.length === 0) fail('messages: at least one message is required');
  if (messages[0]?.role !== 'user') fail('messages: first message must use the "user" role');
  messages.forEach((message, i) => {
    if (i > 0 && message.role === messages[i - 1]?.role)
      fail(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${message.role}" roles in a row`,
      );
    const empty = message.content === '' || (Array.isArray(message.content) && message.content.length === 0);
    const finalAssistant = i === messages.length - 1 && message.role === 'assistant';
    if (empty && !finalAssistant)
      fail(
        `messages.${i}: all messages must have non-empty content except for the optional final assistant message`,
      );
  });
}

/** `msg_bdrk_` and 24 characters, derived from the request id so it is unique per call. */
function messageId(requestId: string): string {
  const digest = createHash('sha256')
    .update(requestId)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  return `msg_bdrk_01${digest.slice(0, 22)}`;
}

function usage(planned: Planned): Record<string, unknown> {
  const byTtl = Object.fromEntries(planned.cache.details.map((d) => [d.ttl, d.inputTokens]));
  return {
    input_tokens: planned.inputTokens,
    cache_creation_input_tokens: planned.cache.write,
    cache_read_input_tokens: planned.cache.read,
    cache_creation: {
      ephemeral_5m_input_tokens: byTtl['5m'] ?? 0,
      ephemeral_1h_input_tokens: byTtl['1h'] ?? 0,
    },
    output_tokens: planned.outputTokens,
  };
}

function blocks(planned: Planned): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (planned.thinking)
    out.push({ type: 'thinking', thinking: planned.thinking.text, signature: planned.thinking.signature });
  if (planned.reply.text !== '' || !planned.tool) out.push({ type: 'text', text: planned.reply.text });
  if (planned.tool) {
    const { idSuffix, name, input, complete } = planned.tool;
    out.push({ type: 'tool_use', id: `toolu_bdrk_01${idSuffix}`, name, input: complete ? input : {} });
  }
  return out;
}

function response(planned: Planned, context: ReplyContext): Record<string, unknown> {
  return {
    id: messageId(context.requestId),
    type: 'message',
    role: 'assistant',
    model: context.model.anthropicName,
    content: blocks(planned),
    stop_reason: planned.stopReason,
    stop_sequence: planned.reply.stopSequence,
    usage: usage(planned),
  };
}

function stream(planned: Planned, context: ReplyContext): NativeChunk[] {
  const start = {
    id: messageId(context.requestId),
    type: 'message',
    role: 'assistant',
    model: context.model.anthropicName,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...usage(planned), output_tokens: 1 },
  };
  const chunks: NativeChunk[] = [{ body: { type: 'message_start', message: start }, delta: false }];
  const add = (index: number, block: Record<string, unknown>, deltas: Array<Record<string, unknown>>) => {
    chunks.push({ body: { type: 'content_block_start', index, content_block: block }, delta: false });
    for (const delta of deltas)
      chunks.push({ body: { type: 'content_block_delta', index, delta }, delta: true });
    chunks.push({ body: { type: 'content_block_stop', index }, delta: false });
  };
  for (const [index, block] of blocks(planned).entries()) {
    if (block.type === 'thinking' && planned.thinking) {
      add(index, { type: 'thinking', thinking: '', signature: '' }, [
        ...planned.thinking.pieces.map((thinking) => ({ type: 'thinking_delta', thinking })),
        { type: 'signature_delta', signature: planned.thinking.signature },
      ]);
    } else if (block.type === 'text') {
      add(
        index,
        { type: 'text', text: '' },
        planned.reply.pieces.map((text) => ({ type: 'text_delta', text })),
      );
    } else if (planned.tool) {
      add(
        index,
        { ...block, input: {} },
        planned.tool.pieces.map((partial_json) => ({ type: 'input_json_delta', partial_json })),
      );
    }
  }
  chunks.push(
    {
      body: {
        type: 'message_delta',
        delta: { stop_reason: planned.stopReason, stop_sequence: planned.reply.stopSequence },
        usage: { output_tokens: planned.outputTokens },
      },
      delta: false,
    },
    { body: { type: 'message_stop' }, delta: false },
  );
  return chunks;
}

export const anthropic: Family = { parse, response, stream };
