/**
 * Meta Llama (reference §5.4): `prompt`, `temperature`, `top_p`, `max_gen_len` and nothing else;
 * the reply in `generation` with `prompt_token_count`, `generation_token_count` and `stop_reason`
 * stop / length. Llama takes no stop sequences.
 */

import { canonicalWithout, type Generation, type Planned } from '../../behaviour/generation.js';
import type { Reply } from '../../behaviour/text.js';
import type { ModelInfo } from '../../catalogue/catalogue.js';
import { SchemaViolations } from '../../wire/validate.js';
import { type Family, type NativeChunk, outputLimit } from './family.js';

function parse(raw: unknown, model: ModelInfo): Generation {
  const v = new SchemaViolations();
  const request = v.root(raw);
  v.keys('#', request, ['prompt'], ['prompt', 'temperature', 'top_p', 'max_gen_len']);
  v.string('#/prompt', request.prompt);
  v.number('#/temperature', request.temperature, 0, 1);
  v.number('#/top_p', request.top_p, 0, 1);
  v.number('#/max_gen_len', request.max_gen_len, 1, model.maxOutputTokens, true);
  v.throwIfAny();
  return {
    model,
    texts: [request.prompt as string],
    ...outputLimit(model, request.max_gen_len, 512),
    stopSequences: [],
    canonical: canonicalWithout(request, ['max_gen_len']),
  };
}

function stopReason(reply: Reply): string {
  return reply.stopReason === 'max_tokens' ? 'length' : 'stop';
}

function response(planned: Planned): Record<string, unknown> {
  const { reply, inputTokens } = planned;
  return {
    generation: reply.text,
    prompt_token_count: inputTokens,
    generation_token_count: reply.outputTokens,
    stop_reason: stopReason(reply),
  };
}

function stream(planned: Planned): NativeChunk[] {
  const { reply, inputTokens } = planned;
  const chunks: NativeChunk[] = reply.pieces.map((generation, i) => ({
    body: {
      generation,
      prompt_token_count: i === 0 ? inputTokens : null,
      generation_token_count: i + 1,
      stop_reason: null,
    },
    delta: true,
  }));
  chunks.push({
    body: {
      generation: '',
      prompt_token_count: chunks.length === 0 ? inputTokens : null,
      generation_token_count: reply.outputTokens,
      stop_reason: stopReason(reply),
    },
    delta: false,
  });
  return chunks;
}

export const llama: Family = { parse, response, stream };
