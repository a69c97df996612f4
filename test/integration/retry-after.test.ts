/**
 * retry-after across the wire: a real SDK error from a real HTTP server carrying the hint reaches
 * the pool, which waits at least that long. Counted through the waits the pool asks for, not timed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callModel } from '../../src/bedrock/call.js';
import { createClient } from '../../src/bedrock/client.js';
import { classifyError } from '../../src/bedrock/errors.js';
import { Pool } from '../../src/pool/pool.js';
import type { PromptRequest } from '../../src/types.js';

let server: Server;
let url: string;
let calls = 0;
let hint: Record<string, string> = {};

beforeAll(async () => {
  // Throttles every other call, with whatever hint the test set; answers the others.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      if (calls % 2 === 1) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
          'x-amzn-requestid': 'req',
          ...hint,
        });
        res.end('{"message":"Too many requests, please wait before trying again."}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req' });
        res.end(
          JSON.stringify({
            output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
            stopReason: 'end_turn',
            usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
            metrics: { latencyMs: 1 },
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const request: PromptRequest = {
  index: 0,
  line: 2,
  id: '1',
  row: {},
  model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  messages: [{ role: 'user', content: [{ text: 'hi' }] }],
  inference: { maxTokens: 10, stopSequences: [] },
};

describe('retry-after from a real response', () => {
  it.each([
    [{ 'retry-after': '2' }, 2000],
    [{ 'x-amz-retry-after': '1500' }, 1500],
    [{ 'retry-after': '0.25' }, 250],
  ])('%j makes the pool wait at least %i ms before the retry', async (headers, ms) => {
    hint = headers;
    calls = 0;
    const client = createClient({
      region: 'us-east-1',
      endpoint: url,
      maxSockets: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const waits: number[] = [];
    const pool = new Pool({
      concurrency: 1,
      adaptive: false,
      retry: { maxAttempts: 3, baseMs: 1, capMs: 1 },
      sleep: async (wait) => {
        waits.push(wait);
      },
    });
    const outcome = await pool.run({
      reserve: { input: 1, output: 10 },
      attempt: (signal) => callModel(client, request, { api: 'converse', stream: false }, signal),
      used: () => 2,
      usedOnFailure: () => 0,
      classify: classifyError,
    });
    client.destroy();
    expect(outcome).toMatchObject({ kind: 'ok', attempts: 2 });
    expect(calls).toBe(2);
    expect(waits).toEqual([ms]);
    expect(pool.stats.throttles).toBe(1);
  });
});
