/**
 * What Bedrock's quota reserves for a call when it starts: its input tokens (estimated) and the
 * most output it may produce (max_tokens, or a batch record body's own limit). The pool admits by
 * it and --max-cost bounds a row's worst case by it.
 */
import { estimateRequestTokens } from '../input/tokens.js';
import type { PromptRequest } from '../types.js';

export interface Reservation {
  input: number;
  output: number;
}

export function reservation(request: PromptRequest): Reservation {
  const native = request.nativeBody;
  const nativeMax = native
    ? Number(native.max_tokens ?? native.max_gen_len ?? nativeMaxTokens(native))
    : Number.NaN;
  return {
    input: estimateRequestTokens(request),
    output: Number.isFinite(nativeMax) && nativeMax > 0 ? nativeMax : request.inference.maxTokens,
  };
}

function nativeMaxTokens(body: Record<string, unknown>): unknown {
  const config = (body.inferenceConfig ?? body.textGenerationConfig) as Record<string, unknown> | undefined;
  return config?.max_new_tokens ?? config?.maxTokens ?? config?.maxTokenCount;
}
