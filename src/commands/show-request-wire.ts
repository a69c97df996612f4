/**
 * What the AWS SDK would put on the wire for one request, without sending it: the run's own
 * `callModel` goes through a client whose HTTP handler keeps the signed request and stops there.
 * So the body printed is the body a run sends (the same template, overrides, schema, attachments
 * and the SDK's own serialisation), not a second rendering of it that could drift.
 */
import { readFileSync } from 'node:fs';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { type Api, callModel } from '../bedrock/call.js';
import type { MetadataPlan } from '../bedrock/request-metadata.js';
import type { Attachment, PromptRequest } from '../types.js';

export interface WireRequest {
  method: string;
  path: string;
  /** The request's own headers that say something about the call (tier, guardrail). */
  headers: Record<string, string>;
  body: unknown;
}

interface HttpLike {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

class Captured extends Error {}

export async function wireRequest(
  request: PromptRequest,
  options: { api: Api; stream: boolean; region: string; metadata?: MetadataPlan },
): Promise<WireRequest> {
  let captured: HttpLike | undefined;
  const client = new BedrockRuntimeClient({
    region: options.region,
    maxAttempts: 1,
    // Nothing is sent, so nothing needs signing with real keys.
    credentials: { accessKeyId: 'show-request', secretAccessKey: 'show-request' },
    requestHandler: {
      handle: async (http: HttpLike) => {
        captured = http;
        throw new Captured('captured');
      },
    } as never,
  });
  try {
    await callModel(client, request, options, new AbortController().signal);
  } catch (error) {
    if (!(error instanceof Captured) && captured === undefined) throw error;
  } finally {
    client.destroy();
  }
  if (!captured) throw new Error('the SDK built no request');
  const text = bodyText(captured.body);
  const headers = Object.fromEntries(
    Object.entries(captured.headers).filter(([name]) => /^x-amzn-bedrock-/i.test(name)),
  );
  return {
    method: captured.method,
    path: captured.path,
    headers,
    body: summariseBytes(JSON.parse(text), attachmentLabels(request.attachments ?? [])),
  };
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  // By its buffer: the SDK's body may be a Uint8Array that warns when read as a string.
  if (body instanceof Uint8Array)
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return '{}';
}

/** Each local attachment's bytes as base64 (how both APIs carry them) -> `<12,345 bytes of image/png>`. */
function attachmentLabels(attachments: readonly Attachment[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const attachment of attachments) {
    if (attachment.path === undefined) continue;
    const bytes = readFileSync(attachment.path);
    const type =
      attachment.kind === 'image' ? `image/${attachment.format}` : `a ${attachment.format} document`;
    labels.set(bytes.toString('base64'), `<${bytes.length.toLocaleString('en-US')} bytes of ${type}>`);
  }
  return labels;
}

function summariseBytes(value: unknown, labels: Map<string, string>): unknown {
  if (typeof value === 'string') return labels.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => summariseBytes(item, labels));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summariseBytes(v, labels)]));
  return value;
}
