/**
 * The emulator over plain HTTP/1.1, with no SDK: what curl, boto3 and the AWS CLI see.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';

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

const HAIKU = '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse';

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
      '{"messages":[{"role":"user","content":[{"text":"a"}]}],"inferenceConfig":{"maxTokens":5000}}',
      'The maximum tokens you requested exceeds the model limit of 4096. Try again with a maximum tokens value that is lower than 4096.',
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
      'us.anthropic.claude-3-haiku-20240307-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0',
    ]) {
      const res = await post(
        `/model/${encodeURIComponent(id)}/converse`,
        '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}',
      );
      expect(res.status, id).toBe(200);
    }
  });
});
