/**
 * Every scripted directive, driven through the real JS SDK (its own retries on), and counted
 * through GET /__emulator/stats: what arrived, what was throttled, what failed.
 */
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { fetchStats, HAIKU, sdkClient } from '../helpers/emulator-clients.js';

const used = useEmulator();

const messages = (text: string) => [{ role: 'user' as const, content: [{ text }] }];
const anthropic = (text: string, max = 30) =>
  new TextEncoder().encode(
    JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: max,
      messages: [{ role: 'user', content: text }],
    }),
  );

/** One call of each inference operation, carrying `text`, read to the end; returns output tokens. */
const OPERATIONS: Array<[string, (c: BedrockRuntimeClient, text: string) => Promise<number>]> = [
  [
    'converse',
    async (c, text) =>
      (await c.send(new ConverseCommand({ modelId: HAIKU, messages: messages(text) }))).usage?.outputTokens ??
      -1,
  ],
  [
    'converse-stream',
    async (c, text) => {
      const response = await c.send(new ConverseStreamCommand({ modelId: HAIKU, messages: messages(text) }));
      let deltas = 0;
      for await (const event of response.stream ?? []) if (event.contentBlockDelta) deltas++;
      return deltas;
    },
  ],
  [
    'invoke',
    async (c, text) => {
      const response = await c.send(new InvokeModelCommand({ modelId: HAIKU, body: anthropic(text) }));
      return JSON.parse(Buffer.from(response.body).toString()).usage.output_tokens;
    },
  ],
  [
    'invoke-with-response-stream',
    async (c, text) => {
      const response = await c.send(
        new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: anthropic(text) }),
      );
      let deltas = 0;
      for await (const event of response.body ?? [])
        if (JSON.parse(Buffer.from(event.chunk?.bytes ?? []).toString()).type === 'content_block_delta')
          deltas++;
      return deltas;
    },
  ],
];

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe.each(OPERATIONS)('directives on %s', (operation, call) => {
  it('throttle=1 throttles the first arrival of that exact body; the SDK retry then succeeds', async () => {
    await call(sdkClient(used.emulator.url, 'h2', 3), `Hello [[emulator:throttle=1]] ${operation}`);
    const stats = await fetchStats(used.emulator.url);
    expect(stats.byOperation[operation]).toMatchObject({
      requests: 2,
      ok: 1,
      throttled: 1,
      faults: 0,
      errors: 1,
    });
    expect(stats.byException).toEqual({ ThrottlingException: 1 });
  });

  it('fail=2:InternalServerException fails the first two arrivals; the third succeeds', async () => {
    await call(
      sdkClient(used.emulator.url, 'h2', 3),
      `[[emulator:fail=2:InternalServerException]] ${operation}`,
    );
    const stats = await fetchStats(used.emulator.url);
    expect(stats.byOperation[operation]).toMatchObject({ requests: 3, ok: 1, faults: 2, throttled: 0 });
    expect(stats.byException).toEqual({ InternalServerException: 2 });
  });

  it('error=ServiceUnavailableException fails every arrival, so every retry', async () => {
    const error = await failure(
      call(
        sdkClient(used.emulator.url, 'h2', 3),
        `[[emulator:error=ServiceUnavailableException]] ${operation}`,
      ),
    );
    expect(error.name).toBe('ServiceUnavailableException');
    expect(error.$metadata?.attempts).toBe(3);
    const stats = await fetchStats(used.emulator.url);
    expect(stats.byOperation[operation]).toMatchObject({ requests: 3, ok: 0, faults: 3 });
  });

  it('tokens=N sets the reply length', async () => {
    const client = sdkClient(used.emulator.url, 'h2');
    expect(await call(client, `[[emulator:tokens=7]] ${operation}`)).toBe(7);
    expect(await call(client, `[[emulator:tokens=0]] ${operation}`)).toBe(0);
    expect((await fetchStats(used.emulator.url)).byOperation[operation]).toMatchObject({
      requests: 2,
      ok: 2,
      outputTokens: 7,
    });
  });

  it('latency=MS holds the request in flight for that long', async () => {
    const pending = call(sdkClient(used.emulator.url, 'h2'), `[[emulator:latency=400]] ${operation}`);
    let inFlight = 0;
    for (let i = 0; i < 200 && inFlight === 0; i++) {
      inFlight = (await fetchStats(used.emulator.url)).inFlight;
      if (inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(inFlight).toBe(1);
    await pending;
    expect(await fetchStats(used.emulator.url)).toMatchObject({ inFlight: 0, ok: 1, peakInFlight: 1 });
  });
});

describe.each(OPERATIONS.filter(([name]) => name.endsWith('stream')))(
  'midstream on %s',
  (operation, call) => {
    it('midstream=ModelStreamErrorException breaks the stream after its first delta; the SDK does not retry', async () => {
      const error = await failure(
        call(
          sdkClient(used.emulator.url, 'h2', 3),
          `[[emulator:midstream=ModelStreamErrorException]] ${operation}`,
        ),
      );
      expect(error.name).toBe('ModelStreamErrorException');
      const stats = await fetchStats(used.emulator.url);
      expect(stats.byOperation[operation]).toMatchObject({ requests: 1, ok: 0, faults: 1, midstream: 1 });
      expect(stats.byException).toEqual({ ModelStreamErrorException: 1 });
    });
  },
);

describe('directive counting', () => {
  it('counts per exact body: a different body starts its own count', async () => {
    const client = sdkClient(used.emulator.url, 'http1');
    const [, converse] = OPERATIONS[0] ?? [];
    for (const text of ['A [[emulator:throttle=1]]', 'B [[emulator:throttle=1]]']) {
      expect((await failure(converse?.(client, text) ?? Promise.resolve())).name).toBe('ThrottlingException');
      await converse?.(client, text);
    }
    expect(await fetchStats(used.emulator.url)).toMatchObject({ requests: 4, ok: 2, throttled: 2 });
  });

  it('fail=1:ModelTimeoutException is not retried by the SDK (408), and the next identical call succeeds', async () => {
    const client = sdkClient(used.emulator.url, 'h2', 3);
    const text = '[[emulator:fail=1:ModelTimeoutException]] hi';
    const error = await failure(
      client.send(new ConverseCommand({ modelId: HAIKU, messages: messages(text) })),
    );
    expect([error.name, error.$metadata?.attempts]).toEqual(['ModelTimeoutException', 1]);
    await client.send(new ConverseCommand({ modelId: HAIKU, messages: messages(text) }));
    expect(await fetchStats(used.emulator.url)).toMatchObject({ requests: 2, ok: 1, faults: 1 });
  });

  it('reads directives in the system prompt and in native body text, and midstream has no effect on plain calls', async () => {
    const client = sdkClient(used.emulator.url, 'h2');
    const converse = await client.send(
      new ConverseCommand({
        modelId: HAIKU,
        system: [{ text: '[[emulator:tokens=3]]' }],
        messages: messages('hi'),
      }),
    );
    expect(converse.usage?.outputTokens).toBe(3);
    const titan = new TextEncoder().encode(
      JSON.stringify({ inputText: '[[emulator:tokens=4]] [[emulator:midstream=ThrottlingException]]' }),
    );
    const invoked = await client.send(
      new InvokeModelCommand({ modelId: 'amazon.titan-text-lite-v1', body: titan }),
    );
    expect(JSON.parse(Buffer.from(invoked.body).toString()).results[0].tokenCount).toBe(4);
    expect(await fetchStats(used.emulator.url)).toMatchObject({ requests: 2, ok: 2, faults: 0 });
  });

  it('refuses a misspelt directive rather than ignoring it', async () => {
    const error = await failure(
      sdkClient(used.emulator.url, 'h2').send(
        new ConverseCommand({ modelId: HAIKU, messages: messages('[[emulator:throtle=1]]') }),
      ),
    );
    expect([error.name, error.message]).toEqual([
      'ValidationException',
      'Emulator directive [[emulator:throtle=1]]: unknown directive (throttle, error, fail, latency, tokens, midstream, badjson, guardrail).',
    ]);
  });
});
