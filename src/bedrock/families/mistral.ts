/**
 * Mistral: the text-completion body (`<s>[INST] ... [/INST]`) for the older models, the
 * chat-completion body (which takes neither top_k nor stop) for Mistral Large 24.07 and every model
 * since. Which one a model takes is catalogue data (model-facts.ts `mistralBody`), not a pattern.
 */
import type { PromptRequest } from '../../types.js';
import { modelFacts } from '../models.js';
import {
  compact,
  type FamilyCodec,
  type Json,
  nonEmpty,
  noStopSequences,
  noTopK,
  num,
  textOf,
} from './codec.js';

/**
 * Whether a Mistral model takes the chat-completion body. A Mistral id the table does not list gets
 * it too: every text-body model is listed, and every model Mistral has released since takes chat.
 */
export function isMistralChat(modelId: string): boolean {
  return (modelFacts(modelId)?.mistralBody ?? 'chat') === 'chat';
}

function mistralPrompt(request: PromptRequest): string {
  let prompt = '<s>';
  let system = request.system === undefined ? '' : `${request.system}\n\n`;
  for (const m of request.messages) {
    if (m.role === 'user') {
      prompt += `[INST] ${system}${textOf(m, 'mistral')} [/INST]`;
      system = '';
    } else {
      prompt += `${textOf(m, 'mistral')}</s>`;
    }
  }
  return prompt;
}

function chatBody(request: PromptRequest): Json {
  const messages: Array<{ role: string; content: string }> = request.messages.map((m) => ({
    role: m.role,
    content: textOf(m, 'mistral'),
  }));
  if (request.system !== undefined) messages.unshift({ role: 'system', content: request.system });
  const inf = request.inference;
  return compact({ messages, max_tokens: inf.maxTokens, temperature: inf.temperature, top_p: inf.topP });
}

export const mistral: FamilyCodec = {
  name: 'mistral',
  owns: (id) => id.startsWith('mistral.'),
  body: (request) => {
    if (isMistralChat(request.model)) return chatBody(request);
    const inf = request.inference;
    return compact({
      prompt: mistralPrompt(request),
      max_tokens: inf.maxTokens,
      temperature: inf.temperature,
      top_p: inf.topP,
      top_k: inf.topK,
      stop: nonEmpty(inf.stopSequences),
    });
  },
  read: (b) => {
    if (Array.isArray(b.outputs)) {
      const first = (b.outputs[0] ?? {}) as Json;
      return { text: String(first.text ?? ''), stop: first.stop_reason, usage: {} };
    }
    if (!Array.isArray(b.choices)) return undefined;
    const first = (b.choices[0] ?? {}) as Json;
    const message = (first.message ?? {}) as Json;
    return {
      text: String(message.content ?? first.text ?? ''),
      stop: first.stop_reason ?? first.finish_reason,
      usage: {},
    };
  },
  readChunk: (c, state) => {
    const first = (
      Array.isArray(c.outputs) ? c.outputs[0] : Array.isArray(c.choices) ? c.choices[0] : undefined
    ) as Json | undefined;
    if (!first) return undefined;
    if (first.stop_reason) state.stop = first.stop_reason;
    const message = (first.message ?? first.delta) as Json | undefined;
    return String(first.text ?? message?.content ?? '');
  },
  unsupported: (request, api) => {
    const chat = isMistralChat(request.model);
    if (request.inference.topK !== undefined && api === 'invoke' && chat) return noTopK(request, api);
    if (api === 'invoke' && chat && request.inference.stopSequences.length > 0)
      return noStopSequences(request);
    return undefined;
  },
  converseTopK: (topK) => ({ top_k: topK }),
  outputLimit: (body) => num(body.max_tokens),
};
