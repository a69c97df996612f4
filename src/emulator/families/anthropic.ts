/**
 * Anthropic Claude Messages on Bedrock (reference §5.1, §2.5): the body is checked against the
 * schema first (Bedrock's `Malformed input request: ...` wording), then as Anthropic's API checks
 * it (`messages: first message must use the "user" role`, ...). Responses carry a `msg_bdrk_` id,
 * the model name without provider prefix and version, and Anthropic's usage fields.
 */
import { createHash } from 'node:crypto';
import type { ModelInfo } from '../catalogue.js';
import { EmulatedError } from '../exceptions.js';
import { canonicalWithout, type Generation, type Planned } from '../generation.js';
import { SchemaViolations } from '../validate.js';
import type { Family, NativeChunk, ReplyContext } from './family.js';

const VERSION = 'bedrock-2023-05-31';
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
];

function parse(raw: unknown, model: ModelInfo): Generation {
  const v = new SchemaViolations();
  const request = v.root(raw);
  v.keys('#', request, REQUIRED, ALLOWED);
  const version = request.anthropic_version;
  if (version !== undefined && version !== VERSION)
    v.add('#/anthropic_version', `${version} is not a valid enum value`);
  v.number('#/max_tokens', request.max_tokens, 1, Number.MAX_SAFE_INTEGER, true);
  v.number('#/temperature', request.temperature, 0, 1);
  v.number('#/top_p', request.top_p, 0, 1);
  v.number('#/top_k', request.top_k, 0, Number.MAX_SAFE_INTEGER, true);
  v.strings('#/stop_sequences', request.stop_sequences);
  if (request.system !== undefined && typeof request.system !== 'string' && !Array.isArray(request.system))
    v.add('#/system', 'expected type: String or JSONArray');
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
  return {
    model,
    texts: [...contentTexts(request.system), ...list.flatMap((m) => contentTexts(m.content))],
    maxTokens,
    stopSequences: (request.stop_sequences as string[] | undefined) ?? [],
    canonical: canonicalWithout(request, ['max_tokens', 'stop_sequences']),
  };
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

/** A `system` or message `content`: a string, or blocks of which the text ones count. */
function contentTexts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((block) =>
    block && typeof block === 'object' && block.type === 'text' && typeof block.text === 'string'
      ? [block.text as string]
      : [],
  );
}

/** `msg_bdrk_` and 24 characters, derived from the request id so it is unique per call. */
function messageId(requestId: string): string {
  const digest = createHash('sha256')
    .update(requestId)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  return `msg_bdrk_01${digest.slice(0, 22)}`;
}

function response(planned: Planned, context: ReplyContext): Record<string, unknown> {
  const { reply, inputTokens } = planned;
  return {
    id: messageId(context.requestId),
    type: 'message',
    role: 'assistant',
    model: context.model.anthropicName,
    content: [{ type: 'text', text: reply.text }],
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: {
      input_tokens: inputTokens,
      output_tokens: reply.outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

function stream(planned: Planned, context: ReplyContext): NativeChunk[] {
  const { reply, inputTokens } = planned;
  const start = {
    id: messageId(context.requestId),
    type: 'message',
    role: 'assistant',
    model: context.model.anthropicName,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: 1 },
  };
  return [
    { body: { type: 'message_start', message: start }, delta: false },
    {
      body: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      delta: false,
    },
    ...reply.pieces.map((text) => ({
      body: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      delta: true,
    })),
    { body: { type: 'content_block_stop', index: 0 }, delta: false },
    {
      body: {
        type: 'message_delta',
        delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence },
        usage: { output_tokens: reply.outputTokens },
      },
      delta: false,
    },
    { body: { type: 'message_stop' }, delta: false },
  ];
}

export const anthropic: Family = { parse, response, stream };
