/**
 * Every operation through the real AWS SDK for JavaScript, over its default HTTP/2 handler and over
 * HTTP/1.1 (NodeHttpHandler): the SDK's own parsers decode our JSON, event streams (CRCs checked)
 * and blobs.
 */
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { FAMILIES } from '../helpers/emulator-bodies.js';
import { HAIKU, HAIKU_BASE, sdkClient, type Transport } from '../helpers/emulator-clients.js';

const used = useEmulator();

const encoder = new TextEncoder();
const decode = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
const messages = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

/** Captures the raw response headers, which the SDK does not put on InvokeModel's output. */
function withHeaders(client: BedrockRuntimeClient): { headers: Record<string, string> } {
  const seen = { headers: {} as Record<string, string> };
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      seen.headers = (out.response as { headers: Record<string, string> }).headers;
      return out;
    },
    { step: 'deserialize', name: 'captureHeaders' },
  );
  return seen;
}

describe.each<Transport>(['h2', 'http1'])('the JS SDK over %s', (transport) => {
  let client: BedrockRuntimeClient;
  let seen: { headers: Record<string, string> };
  beforeAll(() => {
    client = sdkClient(used.emulator.url, transport);
    seen = withHeaders(client);
  });

  it('Converse and ConverseStream give the same reply, the stream as Bedrock orders its events', async () => {
    const request = {
      modelId: HAIKU,
      messages: messages('Summarize this ticket'),
      inferenceConfig: { maxTokens: 20 },
    };
    const plain = await client.send(new ConverseCommand(request));
    expect(plain.$metadata.httpStatusCode).toBe(200);
    expect(plain.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const streamed = await client.send(new ConverseStreamCommand(request));
    const events: string[] = [];
    let text = '';
    let usage: unknown;
    for await (const event of streamed.stream ?? []) {
      events.push(Object.keys(event).filter((k) => k !== '$unknown')[0] ?? '?');
      text += event.contentBlockDelta?.delta?.text ?? '';
      if (event.messageStop) expect(event.messageStop.stopReason).toBe(plain.stopReason);
      if (event.metadata) usage = event.metadata.usage;
    }
    expect(text).toBe(plain.output?.message?.content?.[0]?.text);
    expect(usage).toEqual(plain.usage);
    const deltas = plain.usage?.outputTokens ?? 0;
    expect(events).toEqual([
      'messageStart',
      ...Array.from({ length: deltas }, () => 'contentBlockDelta'),
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(used.emulator.stats().byOperation).toMatchObject({
      converse: { ok: 1 },
      'converse-stream': { ok: 1 },
    });
  });

  it.each(FAMILIES)('InvokeModel and its stream answer $family ($modelId) natively', async (c) => {
    const body = encoder.encode(JSON.stringify(c.body('Classify this ticket', 6)));
    const invoked = await client.send(
      new InvokeModelCommand({
        modelId: c.modelId,
        body,
        contentType: 'application/json',
        accept: 'application/json',
      }),
    );
    const headers = seen.headers;
    expect(invoked.contentType).toBe('application/json');
    const reply = c.read(decode(invoked.body));
    expect(reply.stop).toBe(c.lengthStop);
    expect(headers['x-amzn-bedrock-output-token-count']).toBe('6');
    expect(Number(headers['x-amzn-bedrock-input-token-count'])).toBeGreaterThan(0);
    expect(headers['x-amzn-bedrock-invocation-latency']).toMatch(/^\d+$/);

    const streamed = await client.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: c.modelId,
        body,
        contentType: 'application/json',
        accept: 'application/json',
      }),
    );
    expect(streamed.contentType).toBe('application/json');
    const chunks: Array<Record<string, unknown>> = [];
    for await (const event of streamed.body ?? []) chunks.push(decode(event.chunk?.bytes));
    expect(chunks.map((chunk) => c.chunkText(chunk) ?? '').join('')).toBe(reply.text);
    const metrics = chunks.at(-1)?.['amazon-bedrock-invocationMetrics'];
    expect(metrics).toMatchObject({
      inputTokenCount: Number(headers['x-amzn-bedrock-input-token-count']),
      outputTokenCount: 6,
    });
    expect(seen.headers['x-amzn-bedrock-content-type']).toBe('application/json');
    expect(chunks.slice(0, -1).some((chunk) => 'amazon-bedrock-invocationMetrics' in chunk)).toBe(false);
  });

  it('CountTokens counts what Converse and InvokeModel report as input tokens', async () => {
    const system = [{ text: 'You sort support tickets.' }];
    const converse = await client.send(
      new ConverseCommand({ modelId: HAIKU, system, messages: messages('My order #1234 never came') }),
    );
    const counted = await client.send(
      new CountTokensCommand({
        modelId: HAIKU,
        input: { converse: { system, messages: messages('My order #1234 never came') } },
      }),
    );
    expect(counted.inputTokens).toBe(converse.usage?.inputTokens);
    for (const c of FAMILIES) {
      const body = encoder.encode(JSON.stringify(c.body('Where is my refund, please?', 5)));
      await client.send(new InvokeModelCommand({ modelId: c.modelId, body }));
      const viaInvoke = Number(seen.headers['x-amzn-bedrock-input-token-count']);
      const count = await client.send(
        new CountTokensCommand({ modelId: c.modelId, input: { invokeModel: { body } } }),
      );
      expect(count.inputTokens, c.family).toBe(viaInvoke);
    }
  });

  it.each([
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'global.anthropic.claude-haiku-4-5-20251001-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/jp.anthropic.claude-haiku-4-5-20251001-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
  ])('takes %s in the path and counts it against the base model', async (modelId) => {
    await client.send(new ConverseCommand({ modelId, messages: messages('hi') }));
    const stream = await client.send(new ConverseStreamCommand({ modelId, messages: messages('hi') }));
    for await (const _ of stream.stream ?? []);
    const body = encoder.encode(JSON.stringify(FAMILIES[0]?.body('hi', 3)));
    await client.send(new InvokeModelCommand({ modelId, body }));
    await client.send(new CountTokensCommand({ modelId, input: { converse: { messages: messages('hi') } } }));
    expect(used.emulator.stats().byModel).toEqual({
      [HAIKU_BASE]: expect.objectContaining({ requests: 4, ok: 4 }),
    });
  });
});
