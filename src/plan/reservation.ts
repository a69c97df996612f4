/**
 * What Bedrock's quota reserves for a call when it starts: its input tokens (estimated, cached ones
 * too) and the most output it may produce (max_tokens; a native body's own limit, or the model's
 * most when the body sets none). The pool admits by it and --max-cost bounds a row's worst case by
 * it. Output burndown counts only at settlement (rowTask's `used`).
 */
import { bodyOutputLimit } from '../bedrock/families/index.js';
import { reservedOutput } from '../bedrock/models.js';
import { estimateRequestTokens } from '../input/tokens.js';
import type { PromptRequest } from '../types.js';

export interface Reservation {
  input: number;
  output: number;
}

export function reservation(request: PromptRequest): Reservation {
  const input = estimateRequestTokens(request);
  if (!request.nativeBody) return { input, output: request.inference.maxTokens };
  return { input, output: reservedOutput(request.model, bodyOutputLimit(request.nativeBody)) };
}
