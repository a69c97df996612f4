/**
 * The client-side token estimate, used wherever a count is needed before Bedrock has counted:
 * the tokens-per-minute admission (input plus max_tokens reserved at the start of a call) and the
 * `estimate` command's cost range.
 *
 * One token per 4 characters, rounded up: the usual rule of thumb for English on Claude-class
 * tokenizers (which average 3.5 to 4.5 characters per token). It is deliberately simple; where an
 * exact count matters, `estimate --count-tokens api` asks Bedrock's CountTokens instead, and the
 * scheduler corrects its reservation with the real usage each response reports.
 */
import type { PromptRequest } from '../types.js';

export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Estimated input tokens of a request: its system prompt and every text block of its messages. */
export function estimateRequestTokens(request: PromptRequest): number {
  if (request.nativeBody !== undefined) return estimateTokens(textOf(request.nativeBody));
  let chars = request.system?.length ?? 0;
  for (const message of request.messages) chars += textOf(message.content).length;
  // --json-schema and --attach: the schema's text and each file's own estimate.
  let extra = request.answer?.tokens ?? 0;
  for (const attachment of request.attachments ?? []) extra += attachment.tokens;
  return Math.ceil(chars / CHARS_PER_TOKEN) + extra;
}

/** All the string values inside a value, joined: the text a model body carries. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('');
  if (value !== null && typeof value === 'object') return Object.values(value).map(textOf).join('');
  return '';
}
