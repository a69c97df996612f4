/**
 * What Bedrock's quota reserves for a call when it starts: its input tokens (estimated) and the
 * most output it may produce (max_tokens, or a batch record body's own limit). The pool admits by
 * it and --max-cost bounds a row's worst case by it.
 */
import { bodyOutputLimit } from '../bedrock/families/index.js';
import { estimateRequestTokens } from '../input/tokens.js';
import type { PromptRequest } from '../types.js';

export interface Reservation {
  input: number;
  output: number;
}

export function reservation(request: PromptRequest): Reservation {
  const own = request.nativeBody ? bodyOutputLimit(request.nativeBody) : undefined;
  return { input: estimateRequestTokens(request), output: own ?? request.inference.maxTokens };
}
