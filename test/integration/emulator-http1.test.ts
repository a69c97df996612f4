/**
 * The emulator over plain HTTP/1.1, with no SDK: what curl, boto3 and the AWS CLI see.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsSnapshot } from '../../src/emulator/runtime/stats.js';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { post as rawPost } from '../helpers/emulator-clients.js';
import { decodeFrames, type Frame, json } from '../helpers/emulator-eventstream.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

function post(
  path: string,
  body: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; httpVersion: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emulator.url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            httpVersion: res.httpVersion,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const HAIKU = '/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse';

/** A POST whose headers the test controls entirely (an empty value leaves the header out). */
function raw(path: string, body: string, headers: Record<string, string> = {}) {
  const set = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
  if (headers['content-type'] === '') return rawPostWithout(path, body, set);
  return rawPost(emulator.url, path, body, set);
}

/** Like raw, with no Content-Type at all, as boto3 sends invoke_model without contentType. */
function rawPostWithout(path: string, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(`${emulator.url}${path}`, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('emulator over HTTP/1.1', () => {
  it('answers Converse with a Converse response', async () => {
    const res = await post(HAIKU, '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}');
    expect(res.httpVersion).toBe('1.1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.parse(res.body);
    expect(body.output.message.role).toBe('assistant');
    expect(body.output.message.content[0].text.length).toBeGreaterThan(0);
    expect(body.stopReason).toBe('end_turn');
    expect(body.usage.inputTokens).toBe(1);
    expect(body.usage.totalTokens).toBe(body.usage.inputTokens + body.usage.outputTokens);
    expect(typeof body.metrics.latencyMs).toBe('number');
  });

  it('gives the same reply to the same request, whatever the key order', async () => {
    const a = await post(
      HAIKU,
      '{"messages":[{"role":"user","content":[{"text":"same"}]}],"inferenceConfig":{"maxTokens":50,"temperature":0}}',
    );
    const b = await post(
      HAIKU,
      '{"inferenceConfig":{"temperature":0,"maxTokens":50},"messages":[{"content":[{"text":"same"}],"role":"user"}]}',
    );
    expect(JSON.parse(a.body).output).toEqual(JSON.parse(b.body).output);
  });

  it.each([
    [
      '/model/not.a-model/converse',
      '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}',
      'The provided model identifier is invalid.',
    ],
    [HAIKU, 'not json', 'Malformed input request, please reformat your input and try again.'],
    [
      HAIKU,
      '{"messages":[]}',
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    ],
    [
      HAIKU,
      '{"messages":[{"role":"user","content":[{"text":"a"}]},{"role":"user","content":[{"text":"b"}]}]}',
      'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
    ],
    [
      HAIKU,
      '{"messages":[{"role":"user","content":[{"text":"a"}]}],"inferenceConfig":{"temperature":1.5}}',
      "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1",
    ],
    [
      HAIKU,
      '{"messages":[{"role":"user","content":[{"text":"a"}]}],"inferenceConfig":{"maxTokens":64001}}',
      'The maximum tokens you requested exceeds the model limit of 64000. Try again with a maximum tokens value that is lower than 64000.',
    ],
  ])('answers %s %s with a ValidationException in Bedrock wire format', async (path, body, message) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe(
      'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    );
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(res.body)).toEqual({ message });
  });

  it('accepts inference-profile ids and ARNs in the path', async () => {
    for (const id of [
      'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0',
    ]) {
      const res = await post(
        `/model/${encodeURIComponent(id)}/converse`,
        '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}',
      );
      expect(res.status, id).toBe(200);
    }
  });
});

describe('event streams over HTTP/1.1, byte by byte', () => {
  it.each([
    ['converse-stream', JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }), {}],
    [
      'invoke-with-response-stream',
      JSON.stringify({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      { 'x-amzn-bedrock-accept': 'application/json', accept: 'application/vnd.amazon.eventstream' },
    ],
  ])('sends %s chunked, as CRC-checked frames with the p padding', async (operation, body, headers) => {
    const res = await raw(
      `/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/${operation}`,
      body,
      headers,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-amzn-bedrock-content-type']).toBe(
      operation === 'converse-stream' ? undefined : 'application/json',
    );
    const frames = decodeFrames(res.body);
    expect(frames.length).toBeGreaterThan(3);
    for (const frame of frames) {
      expect(frame.headers[':message-type']).toBe('event');
      expect(frame.headers[':content-type']).toBe('application/json');
      const padding = String(json(frame).p);
      expect(padding.length).toBeGreaterThan(0);
      expect('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.startsWith(padding)).toBe(true);
    }
    const types = frames.map((f) => f.headers[':event-type']);
    if (operation === 'converse-stream') {
      expect(types[0]).toBe('messageStart');
      expect(types.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    } else {
      expect(new Set(types)).toEqual(new Set(['chunk']));
      const last = JSON.parse(Buffer.from(String(json(frames.at(-1) as Frame).bytes), 'base64').toString());
      expect(last['amazon-bedrock-invocationMetrics']).toMatchObject({ outputTokenCount: 8 });
    }
  });

  it('sends an in-stream exception with a lowerCamel :exception-type and ends the stream', async () => {
    const body = JSON.stringify({
      messages: [{ role: 'user', content: [{ text: '[[emulator:midstream=ThrottlingException]]' }] }],
    });
    const frames = decodeFrames(
      (await raw('/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream', body)).body,
    );
    expect(frames.map((f) => f.headers[':event-type'] ?? f.headers[':exception-type'])).toEqual([
      'messageStart',
      'contentBlockDelta',
      'throttlingException',
    ]);
    expect(frames[2]?.headers[':message-type']).toBe('exception');
    expect(json(frames[2] as Frame)).toEqual({
      message: 'Too many requests, please wait before trying again.',
    });
  });
});

describe('InvokeModel content negotiation', () => {
  const path = '/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke';
  const body = JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 5,
    messages: [{ role: 'user', content: 'hi' }],
  });

  it.each<[Record<string, string>, number, string | undefined]>([
    [{ 'content-type': 'application/json', accept: 'application/json' }, 200, undefined],
    [{ 'content-type': 'application/octet-stream', accept: '*/*' }, 200, undefined],
    [{ 'content-type': '', accept: '' }, 200, undefined],
    [
      { 'content-type': 'application/json; charset=utf-8', accept: 'text/html, application/json;q=0.9' },
      200,
      undefined,
    ],
    [
      { 'content-type': 'text/plain' },
      400,
      'The provided Content Type is invalid or not supported for this model',
    ],
    [{ accept: 'text/plain' }, 400, 'The provided Accept Type is invalid or not supported for this model'],
  ])('%j gets %i', async (headers, status, message) => {
    const res = await raw(path, body, headers);
    expect(res.status).toBe(status);
    if (message) expect(JSON.parse(res.body.toString())).toEqual({ message });
    else expect(res.headers['x-amzn-bedrock-output-token-count']).toBe('5');
  });

  it("reads the stream's wanted type from X-Amzn-Bedrock-Accept, not Accept", async () => {
    const stream = '/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream';
    expect((await raw(stream, body, { accept: 'application/vnd.amazon.eventstream' })).status).toBe(200);
    expect((await raw(stream, body, { 'x-amzn-bedrock-accept': 'text/plain' })).status).toBe(400);
  });
});

describe('the /__emulator endpoints', () => {
  it('GET /__emulator/stats counts by model, operation and exception; POST /__emulator/reset clears it', async () => {
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
    const throttled = await post(
      HAIKU,
      '{"messages":[{"role":"user","content":[{"text":"[[emulator:throttle=1]]"}]}]}',
    );
    expect(throttled.status).toBe(429);
    expect(JSON.parse(throttled.body)).toEqual({
      message: 'Too many requests, please wait before trying again.',
    });
    // Bedrock sends no retry hint on throttles, and neither does a scripted one.
    expect(throttled.headers['retry-after']).toBeUndefined();
    expect(throttled.headers['x-amz-retry-after']).toBeUndefined();
    await post(HAIKU, '{"messages":[{"role":"user","content":[{"text":"[[emulator:throttle=1]]"}]}]}');
    const stats = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as StatsSnapshot;
    expect(stats).toMatchObject({
      requests: 2,
      ok: 1,
      throttled: 1,
      errors: 1,
      inFlight: 0,
      peakInFlight: 1,
    });
    expect(stats.byModel['anthropic.claude-haiku-4-5-20251001-v1:0']).toMatchObject({ requests: 2 });
    expect(stats.byOperation.converse).toMatchObject({ requests: 2 });
    expect(stats.byException).toEqual({ ThrottlingException: 1 });
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
    expect(await (await fetch(`${emulator.url}/__emulator/stats`)).json()).toMatchObject({
      requests: 0,
      byModel: {},
    });
    // The directive counts started over too: the same body is throttled again.
    expect(
      (await post(HAIKU, '{"messages":[{"role":"user","content":[{"text":"[[emulator:throttle=1]]"}]}]}'))
        .status,
    ).toBe(429);
  });

  it('answers a path that is no operation with 404', async () => {
    const res = await post('/model/x/chat', '{}');
    expect(res.status).toBe(404);
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
