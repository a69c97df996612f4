/**
 * The client's model families, registered once: a request's codec comes from its model id
 * (profile prefixes and ARNs stripped); a response body or stream chunk is read by the first codec
 * whose shape it has, so a batch record's passthrough body reads whatever model it names.
 */
import type { Attachment, CallResult, PromptRequest, Usage } from '../../types.js';
import { baseModelId } from '../models.js';
import { anthropic } from './anthropic.js';
import { type Api, type FamilyCodec, isObject, type Json, noTopK, num, UnsupportedRequest } from './codec.js';
import { llama } from './llama.js';
import { mistral } from './mistral.js';
import { nova } from './nova.js';
import { titan } from './titan.js';

export const CODECS: readonly FamilyCodec[] = [anthropic, nova, titan, llama, mistral];

export { type Api, UnsupportedRequest };

/** The codec of a model id; undefined for a family the client does not know. */
export function codecFor(modelId: string): FamilyCodec | undefined {
  const id = baseModelId(modelId);
  return CODECS.find((codec) => codec.owns(id));
}

export function familyName(modelId: string): string {
  return codecFor(modelId)?.name ?? 'unknown';
}

/** The InvokeModel body to send (a batch record's own body as it is); throws UnsupportedRequest. */
export function invokeBody(request: PromptRequest): Json {
  if (request.nativeBody !== undefined) return request.nativeBody;
  const codec = codecFor(request.model);
  if (!codec) {
    throw new UnsupportedRequest(
      `no InvokeModel body is known for model "${request.model}"; use --api converse, or give the body in a batch record's modelInput`,
    );
  }
  return codec.body(request);
}

/** Why a request cannot go through InvokeModel (checked for every row before anything is sent). */
export function invokeProblem(request: PromptRequest): string | undefined {
  try {
    invokeBody(request);
    return undefined;
  } catch (error) {
    if (error instanceof UnsupportedRequest) return error.message;
    throw error;
  }
}

/**
 * Settings a model family cannot take through the chosen API. Rather than drop a user's setting
 * silently (or send a field Bedrock rejects on every row), the run refuses it up front.
 */
export function unsupportedSetting(request: PromptRequest, api: Api): string | undefined {
  if (request.nativeBody !== undefined) return undefined; // a batch record's body is sent as it is
  const codec = codecFor(request.model);
  if (!codec)
    return api === 'converse' && request.inference.topK !== undefined ? noTopK(request, api) : undefined;
  return codec.unsupported(request, api);
}

/** Converse's additionalModelRequestFields for a top_k, in the family's own field. */
export function converseTopK(modelId: string, topK: number): Json {
  return (codecFor(modelId) ?? anthropic).converseTopK(topK);
}

/** Why these attachments cannot go to a family (by name) through InvokeModel; undefined when they can. */
export function nativeAttachmentProblem(
  family: string,
  attachments: readonly Attachment[],
): string | undefined {
  if (attachments.length === 0) return undefined;
  const native = CODECS.find((codec) => codec.name === family)?.invokeAttachments;
  if (!native)
    return `attachments cannot be sent to a ${family} model through --api invoke; use --api converse`;
  return native.problem(attachments);
}

/** Whether the model's Converse honours a forced tool (`toolChoice.tool`). */
export function forcesTool(modelId: string): boolean {
  return codecFor(modelId)?.forcesTool === true;
}

/** The Converse cache point after the system prompt, in the family's own form. */
export function cachePointFor(modelId: string, ttl: '5m' | '1h' | undefined): Json {
  return codecFor(modelId)?.cachePoint?.(ttl) ?? { type: 'default', ...(ttl ? { ttl } : {}) };
}

/** The output limit a batch record's native body names, when it names one. */
export function bodyOutputLimit(body: Json): number | undefined {
  for (const codec of CODECS) {
    const limit = codec.outputLimit(body);
    if (limit !== undefined && limit > 0) return limit;
  }
  return undefined;
}

/** Stop reasons of the native APIs, in Converse's vocabulary. */
const STOP_REASONS: Record<string, string> = {
  // Titan
  FINISH: 'end_turn',
  FINISHED: 'end_turn',
  LENGTH: 'max_tokens',
  STOP_CRITERIA_MET: 'stop_sequence',
  CONTENT_FILTERED: 'content_filtered',
  RAG_QUERY_WHEN_RAG_DISABLED: 'end_turn',
  // Llama, Mistral
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  model_length: 'max_tokens',
  // Anthropic (the rest are already Converse's words)
  refusal: 'content_filtered',
  pause_turn: 'end_turn',
};

export function stopReason(native: unknown): string {
  if (typeof native !== 'string' || native === '') return '';
  return STOP_REASONS[native] ?? native;
}

/** An InvokeModel response body of any family, in Converse's vocabulary. */
export function parseInvokeBody(body: Json, headers: Record<string, string | undefined>): CallResult {
  for (const codec of CODECS) {
    const read = codec.read(body);
    if (read)
      return { text: read.text, stopReason: stopReason(read.stop), usage: usageFrom(read.usage, headers) };
  }
  return { text: JSON.stringify(body), stopReason: '', usage: usageFrom({}, headers) };
}

/**
 * Body counts win; the headers Bedrock adds fill the gaps. A count found nowhere is NaN, so the sink
 * records it as unknown instead of a silent 0.
 */
export function usageFrom(body: Partial<Usage>, headers: Record<string, string | undefined>): Usage {
  const header = (name: string) => num(headers[`x-amzn-bedrock-${name}`]);
  const inputTokens = body.inputTokens ?? header('input-token-count') ?? Number.NaN;
  const outputTokens = body.outputTokens ?? header('output-token-count') ?? Number.NaN;
  const cacheReadTokens = body.cacheReadTokens ?? header('cache-read-input-token-count') ?? 0;
  const cacheWriteTokens = body.cacheWriteTokens ?? header('cache-write-input-token-count') ?? 0;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens,
    cacheReadTokens,
    cacheWriteTokens,
    ...(body.cacheWrite1hTokens ? { cacheWrite1hTokens: body.cacheWrite1hTokens } : {}),
  };
}

export { isObject, num };
