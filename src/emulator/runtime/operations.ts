/**
 * The five operations' request sides: each request validated (headers and body) and reduced to a
 * Call, and the non-streaming response bodies. Streams are in streams.ts.
 */

import type { Generation, Planned } from '../behaviour/generation.js';
import { countTokens } from '../behaviour/text.js';
import type { ModelInfo } from '../catalogue/catalogue.js';
import { checkLatency, checkTier } from '../catalogue/tiers.js';
import { EmulatedError } from '../wire/exceptions.js';
import { isObject, parseJson, Violations } from '../wire/validate.js';
import { converseBody, converseGeneration, TOO_LONG } from './converse.js';
import { headerMetadata } from './converse-checks.js';
import { type Family, familyOf } from './families/index.js';

export const OPERATIONS = [
  'converse',
  'converse-stream',
  'invoke',
  'invoke-with-response-stream',
  'count-tokens',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export function isStreaming(operation: Operation): boolean {
  return operation === 'converse-stream' || operation === 'invoke-with-response-stream';
}

export interface Call {
  operation: Operation;
  model: ModelInfo;
  generation: Generation;
  /** The native codec, for the invoke operations. */
  family?: Family;
  /** `requestMetadata` (Converse) or the request-metadata header (InvokeModel), checked. */
  metadata?: Record<string, string>;
}

/** Validates a request for its operation; throws EmulatedError (ValidationException) when Bedrock would. */
export function prepare(
  operation: Operation,
  model: ModelInfo,
  body: Buffer,
  header: (name: string) => string | undefined,
): Call {
  switch (operation) {
    case 'converse':
    case 'converse-stream': {
      const json = parseJson(body);
      const generation = withinContext(converseGeneration(json, model));
      const metadata = isObject(json) && isObject(json.requestMetadata) ? json.requestMetadata : undefined;
      return {
        operation,
        model,
        generation,
        ...(metadata ? { metadata: metadata as Record<string, string> } : {}),
      };
    }
    case 'invoke':
    case 'invoke-with-response-stream': {
      checkContentType(header('content-type'));
      // InvokeModel carries the wanted type in Accept; the stream in X-Amzn-Bedrock-Accept, as its
      // own Accept is about the event stream.
      checkAccept(header(operation === 'invoke' ? 'accept' : 'x-amzn-bedrock-accept'));
      const family = familyOf(model);
      const generation = family.parse(parseJson(body), model);
      // InvokeModel takes the tier and latency as headers (reference §2.4), whatever the family.
      const serviceTier = checkTier(model, header('x-amzn-bedrock-service-tier'), 'serviceTier');
      const latency = checkLatency(
        model,
        header('x-amzn-bedrock-performanceconfig-latency'),
        'performanceConfigLatency',
      );
      if (serviceTier) generation.serviceTier = serviceTier;
      if (latency) generation.latency = latency;
      const metadata = headerMetadata(header('x-amzn-bedrock-request-metadata'));
      return {
        operation,
        model,
        family,
        generation: withinContext(generation),
        ...(metadata ? { metadata } : {}),
      };
    }
    case 'count-tokens':
      return { operation, model, generation: countTokensGeneration(parseJson(body), model) };
  }
}

/** Every family: a prompt beyond the model's context window is refused (Bedrock's wording). */
function withinContext(generation: Generation): Generation {
  const tokens = generation.inputTokens ?? generation.texts.reduce((sum, t) => sum + countTokens(t), 0);
  if (tokens > generation.model.contextWindow) throw new EmulatedError('ValidationException', TOO_LONG);
  return generation;
}

function mediaTypes(value: string): string[] {
  return value.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());
}

/** The body is JSON whatever it is labelled, as long as the label is not another format. */
function checkContentType(value: string | undefined): void {
  if (value === undefined || value.trim() === '') return;
  const [type] = mediaTypes(value);
  if (type === 'application/json' || type === 'application/octet-stream') return;
  throw new EmulatedError(
    'ValidationException',
    'The provided Content Type is invalid or not supported for this model',
  );
}

function checkAccept(value: string | undefined): void {
  if (value === undefined || value.trim() === '') return;
  if (mediaTypes(value).some((type) => ['application/json', 'application/*', '*/*'].includes(type))) return;
  throw new EmulatedError(
    'ValidationException',
    'The provided Accept Type is invalid or not supported for this model',
  );
}

/**
 * CountTokens' body holds either a Converse request or an InvokeModel body (base64); the count is
 * what that call would report as input tokens, as both are validated and counted the same way.
 */
function countTokensGeneration(request: unknown, model: ModelInfo): Generation {
  const v = new Violations();
  const input = isObject(request) ? request.input : undefined;
  if (!isObject(input)) {
    v.add('input', input, 'Member must not be null');
    v.throwIfAny();
  }
  const members = Object.keys(input as object);
  const { converse, invokeModel } = input as Record<string, unknown>;
  if (members.length !== 1 || (converse === undefined && invokeModel === undefined))
    v.add('input', input, 'Member must have exactly one of [invokeModel, converse] set');
  v.throwIfAny();
  if (converse !== undefined) return converseGeneration(converse, model);
  const encoded = isObject(invokeModel) ? invokeModel.body : undefined;
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    v.add('input.invokeModel.body', encoded, 'Member must be a base64-encoded blob');
    v.throwIfAny();
  }
  return familyOf(model).parse(parseJson(Buffer.from(encoded as string, 'base64')), model);
}

/** A non-streaming success: the status-200 body and the headers beyond the common ones. */
export function plainResponse(
  call: Call,
  planned: Planned,
  latencyMs: number,
  requestId: string,
): { body: unknown; headers: Record<string, string> } {
  if (call.operation === 'count-tokens') return { body: { inputTokens: planned.inputTokens }, headers: {} };
  if (call.family === undefined) return { body: converseBody(planned, latencyMs), headers: {} };
  const { cache } = planned;
  return {
    body: call.family.response(planned, { model: call.model, requestId }),
    // Not in the API model, but sent by Bedrock and read by clients from the raw headers.
    headers: {
      'x-amzn-bedrock-input-token-count': String(planned.inputTokens),
      'x-amzn-bedrock-output-token-count': String(planned.outputTokens),
      'x-amzn-bedrock-invocation-latency': String(latencyMs),
      ...(cache.details.length > 0
        ? {
            'x-amzn-bedrock-cache-read-input-token-count': String(cache.read),
            'x-amzn-bedrock-cache-write-input-token-count': String(cache.write),
          }
        : {}),
      ...invokeEchoes(planned),
    },
  };
}

/** The modeled InvokeModel response headers that echo the tier and latency that served the call. */
export function invokeEchoes(planned: Planned): Record<string, string> {
  return {
    ...(planned.serviceTier ? { 'x-amzn-bedrock-service-tier': planned.serviceTier } : {}),
    ...(planned.latency ? { 'x-amzn-bedrock-performanceconfig-latency': planned.latency } : {}),
  };
}
