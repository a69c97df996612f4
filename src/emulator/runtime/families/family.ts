/**
 * What each model family's InvokeModel codec provides: native request validation reduced to a
 * Generation, the native response body, and the native stream events (the JSON inside each
 * `chunk`'s `bytes`). Stop reasons and token counts are in each family's own fields.
 */

import type { Generation, Planned } from '../../behaviour/generation.js';
import type { ModelInfo } from '../../catalogue/catalogue.js';

export interface NativeChunk {
  body: Record<string, unknown>;
  /** Whether the chunk carries reply text: streams pace these, and midstream breaks after the first. */
  delta: boolean;
}

export interface ReplyContext {
  model: ModelInfo;
  /** A per-request id, for the fields that carry one (Anthropic's `msg_bdrk_...`). */
  requestId: string;
}

export interface Family {
  parse(body: unknown, model: ModelInfo): Generation;
  response(planned: Planned, context: ReplyContext): Record<string, unknown>;
  /** The stream's native events in order; the server adds the invocation metrics to the last. */
  stream(planned: Planned, context: ReplyContext): NativeChunk[];
}

/** Each family's default output limit when the body sets none, capped by the model's own. */
function defaultMax(model: ModelInfo, familyDefault: number): number {
  return Math.min(familyDefault, model.maxOutputTokens);
}

/**
 * The output limit a native body asked for, or the family's default when it set none; then
 * Bedrock's quota reserves the model's most instead (`maxTokensUnset`).
 */
export function outputLimit(
  model: ModelInfo,
  given: unknown,
  familyDefault: number,
): { maxTokens: number; maxTokensUnset?: true } {
  return given === undefined
    ? { maxTokens: defaultMax(model, familyDefault), maxTokensUnset: true }
    : { maxTokens: given as number };
}

/** The texts of a list of Converse-style content blocks (`[{text}, {image}...]`). */
export function blockTexts(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((block) =>
    block !== null && typeof block === 'object' && typeof (block as { text?: unknown }).text === 'string'
      ? [(block as { text: string }).text]
      : [],
  );
}
