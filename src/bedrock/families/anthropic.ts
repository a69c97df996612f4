/** Anthropic Claude on Bedrock: the Messages API body (`anthropic_version: bedrock-2023-05-31`). */
import { compact, type FamilyCodec, isObject, type Json, nonEmpty, num, textOf } from './codec.js';

export const anthropic: FamilyCodec = {
  name: 'anthropic',
  owns: (id) => id.startsWith('anthropic.'),
  body: (request) => {
    const inf = request.inference;
    return compact({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: inf.maxTokens,
      system: request.system,
      messages: request.messages.map((m) => ({
        role: m.role,
        content: [{ type: 'text', text: textOf(m, 'anthropic') }],
      })),
      temperature: inf.temperature,
      top_p: inf.topP,
      top_k: inf.topK,
      stop_sequences: nonEmpty(inf.stopSequences),
    });
  },
  read: (b) => {
    if (!Array.isArray(b.content)) return undefined;
    const usage = (b.usage ?? {}) as Json;
    const text = (b.content as Json[])
      .filter((c) => c.type === 'text')
      .map((c) => String(c.text ?? ''))
      .join('');
    return {
      text,
      stop: b.stop_reason,
      usage: {
        inputTokens: num(usage.input_tokens),
        outputTokens: num(usage.output_tokens),
        cacheReadTokens: num(usage.cache_read_input_tokens),
        cacheWriteTokens: num(usage.cache_creation_input_tokens),
      },
    };
  },
  readChunk: (c, state) => {
    if (typeof c.type !== 'string') return undefined;
    if (c.type === 'message_start' && isObject(c.message) && isObject(c.message.usage)) {
      const u = c.message.usage;
      state.setUsage({
        inputTokens: num(u.input_tokens),
        cacheReadTokens: num(u.cache_read_input_tokens),
        cacheWriteTokens: num(u.cache_creation_input_tokens),
      });
    } else if (c.type === 'content_block_delta' && isObject(c.delta) && typeof c.delta.text === 'string') {
      return c.delta.text;
    } else if (c.type === 'message_delta') {
      if (isObject(c.delta) && c.delta.stop_reason) state.stop = c.delta.stop_reason;
      if (isObject(c.usage)) state.setUsage({ outputTokens: num(c.usage.output_tokens) });
    }
    return '';
  },
  unsupported: () => undefined,
  converseTopK: (topK) => ({ top_k: topK }),
  outputLimit: (body) => num(body.max_tokens),
};
