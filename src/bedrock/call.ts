/**
 * One model call, whichever API: Converse, ConverseStream, InvokeModel or
 * InvokeModelWithResponseStream. Always returns a CallResult in Converse's vocabulary, or throws
 * what the SDK threw (an exception that breaks a stream midway is marked `$midStream`, so the
 * pool retries it).
 */
import {
  type BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { CallResult, PromptRequest } from '../types.js';
import { shapeInvokeBody, withLoadedAttachments } from './answer-wire.js';
import { responseHeaders } from './client.js';
import { converse, converseInput, hourWrites, withMetadata } from './converse.js';
import { invokeBody, parseInvokeBody } from './families/index.js';
import { converseGuardrail, guardrailHeaders, InvokeGuardrail } from './guardrail.js';
import { NativeStreamReader } from './native/stream.js';
import { type MetadataPlan, requestMetadataFor } from './request-metadata.js';
import { nativeContent, ToolInputCollector, toolInputOf, withToolInput } from './tool-input.js';

export type { Api } from './families/index.js';

import type { Api } from './families/index.js';

export interface CallOptions {
  api: Api;
  stream: boolean;
  /** --tag, run_id and row_id, sent with every call (request-metadata.ts); never in a fingerprint. */
  metadata?: MetadataPlan;
}

export async function callModel(
  client: BedrockRuntimeClient,
  planned: PromptRequest,
  options: CallOptions,
  signal: AbortSignal,
): Promise<CallResult> {
  // --attach: the files are read now, for this attempt only.
  const request = await withLoadedAttachments(planned);
  // A batch-inference record carries its own native body: it always goes through InvokeModel.
  const api = request.nativeBody !== undefined ? 'invoke' : options.api;
  const metadata = requestMetadataFor(options.metadata, request.id);
  if (api === 'converse')
    return options.stream
      ? converseStream(client, request, signal, metadata)
      : converse(client, request, signal, metadata);
  return options.stream
    ? invokeStream(client, request, signal, metadata)
    : invoke(client, request, signal, metadata);
}

type Metadata = Record<string, string> | undefined;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The same input for both InvokeModel operations: the native body as JSON bytes. */
function invokeInput(request: PromptRequest, metadata: Metadata) {
  return {
    modelId: request.model,
    body: encoder.encode(JSON.stringify(shapeInvokeBody(invokeBody(request), request))),
    contentType: 'application/json',
    accept: 'application/json',
    // The SDK sends it as the X-Amzn-Bedrock-Service-Tier header.
    ...(request.serviceTier === undefined ? {} : { serviceTier: request.serviceTier }),
    // --guardrail: the X-Amzn-Bedrock-GuardrailIdentifier, -GuardrailVersion and -Trace headers.
    ...guardrailHeaders(request),
    // The SDK (3.1164) sends it as the JSON-valued X-Amzn-Bedrock-Request-Metadata header.
    ...(metadata === undefined ? {} : { requestMetadata: JSON.stringify(metadata) }),
  };
}

async function invoke(
  client: BedrockRuntimeClient,
  request: PromptRequest,
  signal: AbortSignal,
  metadata: Metadata,
): Promise<CallResult> {
  const output = await client.send(new InvokeModelCommand(invokeInput(request, metadata)), {
    abortSignal: signal,
  });
  const body = JSON.parse(decoder.decode(output.body ?? new Uint8Array())) as Record<string, unknown>;
  const guardrail = new InvokeGuardrail();
  guardrail.add(body);
  const result = withToolInput(
    parseInvokeBody(body, responseHeaders(output)),
    toolInputOf(nativeContent(body)),
  );
  return servedTier(guardrail.apply(request, result), output.serviceTier);
}

/** The tier InvokeModel's response header says served the call. */
function servedTier(result: CallResult, tier: string | undefined): CallResult {
  return tier ? { ...result, serviceTier: tier } : result;
}

async function invokeStream(
  client: BedrockRuntimeClient,
  request: PromptRequest,
  signal: AbortSignal,
  metadata: Metadata,
): Promise<CallResult> {
  const started = performance.now();
  const output = await client.send(new InvokeModelWithResponseStreamCommand(invokeInput(request, metadata)), {
    abortSignal: signal,
  });
  const reader = new NativeStreamReader();
  const tools = new ToolInputCollector();
  const guardrail = new InvokeGuardrail();
  let firstTokenMs: number | undefined;
  await midStream(async () => {
    for await (const event of output.body ?? []) {
      if (!event.chunk?.bytes) continue;
      const chunk = JSON.parse(decoder.decode(event.chunk.bytes)) as Record<string, unknown>;
      tools.add(chunk);
      guardrail.add(chunk);
      const delta = reader.add(chunk);
      if (delta !== '' && firstTokenMs === undefined) firstTokenMs = performance.now() - started;
    }
  });
  const read = withToolInput(reader.result(responseHeaders(output)), tools.result());
  const result = servedTier(guardrail.apply(request, read), output.serviceTier);
  if (result.stopReason === '') throw incomplete();
  return firstTokenMs === undefined ? result : { ...result, firstTokenMs };
}

async function converseStream(
  client: BedrockRuntimeClient,
  request: PromptRequest,
  signal: AbortSignal,
  metadata: Metadata,
): Promise<CallResult> {
  const started = performance.now();
  const output = await client.send(
    new ConverseStreamCommand(withMetadata(converseInput(request), metadata)),
    {
      abortSignal: signal,
    },
  );
  let text = '';
  let stopReason = '';
  let firstTokenMs: number | undefined;
  let serviceTier: string | undefined;
  let trace: { guardrail?: unknown } | undefined;
  // NaN until the metadata event says: a stream without it has unknown usage, not 0.
  const usage: CallResult['usage'] = {
    inputTokens: Number.NaN,
    outputTokens: Number.NaN,
    totalTokens: Number.NaN,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
  const tools = new ToolInputCollector();
  await midStream(async () => {
    for await (const event of output.stream ?? []) {
      tools.add(event);
      const delta = event.contentBlockDelta?.delta?.text;
      if (delta) {
        if (firstTokenMs === undefined) firstTokenMs = performance.now() - started;
        text += delta;
      }
      if (event.messageStop?.stopReason) stopReason = event.messageStop.stopReason;
      const u = event.metadata?.usage;
      if (u) {
        usage.inputTokens = u.inputTokens ?? 0;
        usage.outputTokens = u.outputTokens ?? 0;
        usage.cacheReadTokens = u.cacheReadInputTokens ?? 0;
        usage.cacheWriteTokens = u.cacheWriteInputTokens ?? 0;
        usage.totalTokens = u.totalTokens ?? usage.inputTokens + usage.outputTokens;
        Object.assign(usage, hourWrites(u.cacheDetails));
      }
      if (event.metadata?.serviceTier?.type) serviceTier = event.metadata.serviceTier.type;
      if (event.metadata?.trace) trace = event.metadata.trace;
    }
  });
  if (stopReason === '') throw incomplete();
  const guardrail = converseGuardrail(request, stopReason, trace);
  const result = {
    text,
    stopReason,
    usage,
    ...(firstTokenMs === undefined ? {} : { firstTokenMs }),
    ...(serviceTier === undefined ? {} : { serviceTier }),
    ...(guardrail === undefined ? {} : { guardrail }),
  };
  return withToolInput(result, tools.result());
}

/** Exceptions thrown while reading an open stream are marked so the pool retries the row. */
async function midStream(read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (error) {
    if (error !== null && typeof error === 'object') Object.assign(error, { $midStream: true });
    throw error;
  }
}

/**
 * A stream that closed cleanly but never said why the model stopped was cut short: recording it
 * as ok would keep a truncated answer (and no usage) forever, so it is retried like a broken one.
 */
function incomplete(): Error {
  return Object.assign(new Error('the response stream ended before the model said why it stopped'), {
    name: 'IncompleteStream',
    $midStream: true,
  });
}
