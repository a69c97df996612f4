/**
 * Mistral (reference §5.5). Text completion (`prompt`, `max_tokens`, `stop`; the reply in
 * `outputs[0]`, token counts only in the response headers) and, for Mistral Large 2407 and later,
 * chat completion (`messages`; the reply in `choices[0].message`). Stop reasons: stop / length.
 */

import { canonicalWithout, type Generation, type Planned } from '../../behaviour/generation.js';
import type { Reply } from '../../behaviour/text.js';
import type { ModelInfo } from '../../catalogue/catalogue.js';
import { SchemaViolations } from '../../wire/validate.js';
import { type Family, type NativeChunk, outputLimit } from './family.js';

const TEXT_KEYS = ['prompt', 'max_tokens', 'stop', 'temperature', 'top_p', 'top_k'];
const CHAT_KEYS = ['messages', 'tools', 'tool_choice', 'max_tokens', 'temperature', 'top_p'];
const ROLES = ['system', 'user', 'assistant', 'tool'];

function common(v: SchemaViolations, request: Record<string, unknown>, model: ModelInfo): void {
  v.number('#/max_tokens', request.max_tokens, 1, model.maxOutputTokens, true);
  v.number('#/temperature', request.temperature, 0, 1);
  v.number('#/top_p', request.top_p, 0, 1);
}

function parseText(raw: unknown, model: ModelInfo): Generation {
  const v = new SchemaViolations();
  const request = v.root(raw);
  v.keys('#', request, ['prompt'], TEXT_KEYS);
  v.string('#/prompt', request.prompt);
  common(v, request, model);
  v.number('#/top_k', request.top_k, 0, 200, true);
  v.strings('#/stop', request.stop);
  v.throwIfAny();
  return {
    model,
    texts: [request.prompt as string],
    ...outputLimit(model, request.max_tokens, 512),
    stopSequences: (request.stop as string[] | undefined) ?? [],
    canonical: canonicalWithout(request, ['max_tokens', 'stop']),
  };
}

function parseChat(raw: unknown, model: ModelInfo): Generation {
  const v = new SchemaViolations();
  const request = v.root(raw);
  v.keys('#', request, ['messages'], CHAT_KEYS);
  common(v, request, model);
  const messages = Array.isArray(request.messages) ? request.messages : [];
  if (request.messages !== undefined && !Array.isArray(request.messages))
    v.add('#/messages', 'expected type: JSONArray');
  const texts: string[] = [];
  messages.forEach((message: unknown, i) => {
    const m = v.object(`#/messages/${i}`, message);
    if (!m) return;
    if (!ROLES.includes(m.role as string))
      v.add(`#/messages/${i}/role`, `${String(m.role)} is not a valid enum value`);
    if (typeof m.content === 'string') texts.push(m.content);
    else if (m.content !== undefined && !Array.isArray(m.content))
      v.add(`#/messages/${i}/content`, 'expected type: String or JSONArray');
  });
  v.throwIfAny();
  return {
    model,
    texts,
    ...outputLimit(model, request.max_tokens, 512),
    stopSequences: [],
    canonical: canonicalWithout(request, ['max_tokens']),
  };
}

function stopReason(reply: Reply): string {
  return reply.stopReason === 'max_tokens' ? 'length' : 'stop';
}

export const mistralText: Family = {
  parse: parseText,
  response: ({ reply }: Planned) => ({ outputs: [{ text: reply.text, stop_reason: stopReason(reply) }] }),
  stream: ({ reply }: Planned): NativeChunk[] => [
    ...reply.pieces.map((text) => ({ body: { outputs: [{ text, stop_reason: null }] }, delta: true })),
    { body: { outputs: [{ text: '', stop_reason: stopReason(reply) }] }, delta: false },
  ],
};

function choice(content: string, stop: string | null): Record<string, unknown> {
  return { choices: [{ index: 0, message: { role: 'assistant', content }, stop_reason: stop }] };
}

export const mistralChat: Family = {
  parse: parseChat,
  response: ({ reply }: Planned) => choice(reply.text, stopReason(reply)),
  stream: ({ reply }: Planned): NativeChunk[] => [
    ...reply.pieces.map((text) => ({ body: choice(text, null), delta: true })),
    { body: choice('', stopReason(reply)), delta: false },
  ],
};
