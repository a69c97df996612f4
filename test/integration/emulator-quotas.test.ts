/**
 * --rpm and --tpm as Bedrock applies them, met by real clients: per base model, input + max tokens
 * reserved on arrival and settled at the end, ThrottlingException 429 with Bedrock's wording and no
 * retry hint. Counted through GET /__emulator/stats.
 */
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/server.js';
import {
  converseBody,
  fetchStats,
  HAIKU,
  HAIKU_BASE,
  modelPath,
  post,
  sdkClient,
} from '../helpers/emulator-clients.js';

const started: Emulator[] = [];
async function emulator(options: EmulatorOptions): Promise<Emulator> {
  const e = await startEmulator({ port: 0, ...options });
  started.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

const SONNET = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA_MICRO = 'amazon.nova-micro-v1:0';

/** One Converse call through the SDK, no retries: 'ok' or the exception name and message. */
async function converse(e: Emulator, modelId: string, text: string, maxTokens: number): Promise<string> {
  try {
    const command = new ConverseCommand({
      modelId,
      messages: [{ role: 'user', content: [{ text }] }],
      inferenceConfig: { maxTokens },
    });
    await sdkClient(e.url, 'h2').send(command);
    return 'ok';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

const TOO_MANY_REQUESTS = 'ThrottlingException: Too many requests, please wait before trying again.';
const TOO_MANY_TOKENS = 'ThrottlingException: Too many tokens, please wait before trying again.';

describe('emulator quotas', () => {
  it('--rpm throttles with the requests wording, per base model (profiles and ARNs count against it)', async () => {
    // 6 a minute with a 10 s burst: a bucket of one request, refilled every 10 s.
    const e = await emulator({ rpm: 6 });
    expect(await converse(e, HAIKU, 'hi', 10)).toBe('ok');
    expect(await converse(e, `us.${HAIKU_BASE}`, 'hi', 10)).toBe(TOO_MANY_REQUESTS);
    expect(
      await converse(
        e,
        `arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.${HAIKU_BASE}`,
        'hi',
        10,
      ),
    ).toBe(TOO_MANY_REQUESTS);
    expect(await converse(e, SONNET, 'hi', 10)).toBe('ok');
    const stats = await fetchStats(e.url);
    expect(stats).toMatchObject({ requests: 4, ok: 2, throttled: 2, errors: 2, faults: 0 });
    expect(stats.byModel[HAIKU_BASE]).toMatchObject({ requests: 3, throttled: 2 });
    expect(stats.byModel['anthropic.claude-sonnet-4-5-20250929-v1:0']).toMatchObject({ requests: 1, ok: 1 });
  });

  it('--tpm reserves input + max tokens on arrival, so a large max_tokens throttles sooner', async () => {
    // 600 a minute with a 10 s burst: a bucket of 100 tokens, 10 more a second. Nova Micro counts
    // output once, so what the first call gives back is all of its unused max_tokens.
    const e = await emulator({ tpm: 600 });
    expect(await converse(e, NOVA_MICRO, 'hi', 60)).toBe('ok'); // reserves 61, gives back the unused part
    expect(await converse(e, NOVA_MICRO, 'hi', 99)).toBe(TOO_MANY_TOKENS);
    expect(await converse(e, NOVA_MICRO, 'hi', 10)).toBe('ok');
    expect(await fetchStats(e.url)).toMatchObject({ requests: 3, ok: 2, throttled: 1 });
  });

  it("reserves the model's most output when the request sets no max_tokens", async () => {
    // A bucket of 10,000 tokens: Nova Micro's most output (10,000) plus the input does not fit.
    const e = await emulator({ tpm: 60_000 });
    const unset = new ConverseCommand({
      modelId: NOVA_MICRO,
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
    });
    await expect(sdkClient(e.url, 'h2').send(unset)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await converse(e, NOVA_MICRO, 'hi', 9_000)).toBe('ok');
  });

  it('settles Claude 4 output at 5 tokens each: a call can count more than it reserved', async () => {
    // A bucket of 100 tokens, 10 more a second; '[[emulator:tokens=10]] hi' is 11 input tokens.
    // The same calls on Haiku 4.5 (output x5) and Nova Micro (x1), reserving 11 + 20 = 31:
    // Haiku counts 11 + 10 x 5 = 61 (30 more than reserved) and leaves 39; Nova counts 21 and leaves 79.
    const claude = await emulator({ tpm: 600 });
    expect(await converse(claude, HAIKU, '[[emulator:tokens=10]] hi', 20)).toBe('ok');
    expect(await converse(claude, HAIKU, 'hi', 40)).toBe(TOO_MANY_TOKENS); // needs 41
    expect(await converse(claude, HAIKU, 'hi', 20)).toBe('ok'); // needs 21
    const nova = await emulator({ tpm: 600 });
    expect(await converse(nova, NOVA_MICRO, '[[emulator:tokens=10]] hi', 20)).toBe('ok');
    expect(await converse(nova, NOVA_MICRO, 'hi', 40)).toBe('ok');
    expect(await fetchStats(claude.url)).toMatchObject({ ok: 2, throttled: 1 });
  });

  it('settles a reservation to the tokens really generated when the call ends', async () => {
    // A bucket of 200 tokens, 20 more a second; '[[emulator:tokens=N]] hi' is 11 input tokens.
    const short = await emulator({ tpm: 1200 });
    for (let i = 0; i < 2; i++)
      expect(await converse(short, HAIKU, '[[emulator:tokens=5]] hi', 150)).toBe('ok');
    const long = await emulator({ tpm: 1200 });
    expect(await converse(long, HAIKU, '[[emulator:tokens=150]] hi', 150)).toBe('ok');
    expect(await converse(long, HAIKU, '[[emulator:tokens=150]] hi', 150)).toBe(TOO_MANY_TOKENS);
    expect(await fetchStats(short.url)).toMatchObject({ ok: 2, throttled: 0, outputTokens: 10 });
    expect(await fetchStats(long.url)).toMatchObject({ ok: 1, throttled: 1, outputTokens: 150 });
  });

  it('reserves nothing for a throttled request', async () => {
    const e = await emulator({ tpm: 600 });
    expect(await converse(e, HAIKU, 'hi', 500)).toBe(TOO_MANY_TOKENS);
    expect(await converse(e, HAIKU, 'hi', 98)).toBe('ok');
  });

  it('answers a quota throttle in Bedrock wire format, without retry-after headers', async () => {
    const e = await emulator({ rpm: 6 });
    const path = modelPath(HAIKU, 'converse');
    expect((await post(e.url, path, JSON.stringify(converseBody('hi')))).status).toBe(200);
    const throttled = await post(e.url, path, JSON.stringify(converseBody('hi')));
    expect(throttled.status).toBe(429);
    expect(throttled.headers['x-amzn-errortype']).toBe(
      'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    );
    expect(JSON.parse(throttled.body.toString())).toEqual({
      message: 'Too many requests, please wait before trying again.',
    });
    expect(throttled.headers['retry-after']).toBeUndefined();
    expect(throttled.headers['x-amz-retry-after']).toBeUndefined();
  });

  it('lets the SDK retry throttles until the bucket refills, each attempt counted', async () => {
    // 600 requests a minute, a 1 s burst: 10 at once, then one every 100 ms.
    const e = await emulator({ rpm: 600, burstSeconds: 1 });
    const client = sdkClient(e.url, 'h2', 5);
    const calls = Array.from({ length: 14 }, (_, i) =>
      client.send(
        new ConverseCommand({
          modelId: HAIKU,
          messages: [{ role: 'user', content: [{ text: `row ${i}` }] }],
        }),
      ),
    );
    const results = await Promise.allSettled(calls);
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const stats = await fetchStats(e.url);
    expect(stats.ok).toBe(ok);
    expect(stats.throttled).toBeGreaterThanOrEqual(1);
    expect(stats.requests).toBe(stats.ok + stats.throttled);
    expect(ok).toBeGreaterThanOrEqual(10);
  });
});
