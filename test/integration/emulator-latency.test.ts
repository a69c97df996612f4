/**
 * Latency and what is in flight: --latency-ms and --ms-per-token as the server reports them in its
 * own latency fields (lower bounds, never speed), peak in-flight over concurrent calls from both
 * transports, and a client that walks away mid-stream.
 */
import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { fetchStats, HAIKU, resetEmulator, sdkClient, type Transport } from '../helpers/emulator-clients.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, latencyMs: 100, msPerToken: 20 });
});
afterAll(() => emulator.close());
beforeEach(() => resetEmulator(emulator.url));

const messages = (text: string) => [{ role: 'user' as const, content: [{ text }] }];
// Timers may fire a millisecond early against the clock the server reads.
const SLACK = 2;

async function untilIdle(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await fetchStats(emulator.url)).inFlight === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('latency', () => {
  it('Converse takes the base latency plus ms-per-token for each output token', async () => {
    const reply = await sdkClient(emulator.url, 'h2').send(
      new ConverseCommand({ modelId: HAIKU, messages: messages('[[emulator:tokens=5]]') }),
    );
    expect(reply.metrics?.latencyMs).toBeGreaterThanOrEqual(100 + 5 * 20 - SLACK);
  });

  it('latency=MS replaces the base latency', async () => {
    const reply = await sdkClient(emulator.url, 'h2').send(
      new ConverseCommand({
        modelId: HAIKU,
        messages: messages('[[emulator:tokens=1]] [[emulator:latency=300]]'),
      }),
    );
    expect(reply.metrics?.latencyMs).toBeGreaterThanOrEqual(300 + 20 - SLACK);
  });

  it('a stream waits the base latency before its first event, then paces its deltas', async () => {
    const body = new TextEncoder().encode(
      JSON.stringify({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 6,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    const response = await sdkClient(emulator.url, 'h2').send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body }),
    );
    let metrics: { firstByteLatency: number; invocationLatency: number } | undefined;
    for await (const event of response.body ?? []) {
      const chunk = JSON.parse(Buffer.from(event.chunk?.bytes ?? []).toString());
      metrics = chunk['amazon-bedrock-invocationMetrics'] ?? metrics;
    }
    expect(metrics?.firstByteLatency).toBeGreaterThanOrEqual(100 - SLACK);
    expect((metrics?.invocationLatency ?? 0) - (metrics?.firstByteLatency ?? 0)).toBeGreaterThanOrEqual(
      6 * 20 - SLACK,
    );
  });
});

describe('in flight', () => {
  it.each<Transport>(['h2', 'http1'])(
    'counts every concurrent request over %s toward the peak',
    async (transport) => {
      const client = sdkClient(emulator.url, transport);
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          client.send(
            new ConverseCommand({
              modelId: HAIKU,
              messages: messages(`[[emulator:latency=300]] [[emulator:tokens=1]] row ${i}`),
            }),
          ),
        ),
      );
      expect(await fetchStats(emulator.url)).toMatchObject({
        requests: 6,
        ok: 6,
        inFlight: 0,
        peakInFlight: 6,
      });
    },
  );

  it.each<Transport>(['h2', 'http1'])(
    'counts a client that walks away mid-stream over %s as cancelled, and frees its slot',
    async (transport) => {
      const abort = new AbortController();
      const response = await sdkClient(emulator.url, transport).send(
        new ConverseStreamCommand({ modelId: HAIKU, messages: messages('[[emulator:tokens=200]] long') }),
        { abortSignal: abort.signal },
      );
      let deltas = 0;
      try {
        for await (const event of response.stream ?? []) {
          if (event.contentBlockDelta && ++deltas === 2) abort.abort();
        }
      } catch {
        // the abort surfaces as an error from the iterator
      }
      await untilIdle();
      expect(await fetchStats(emulator.url)).toMatchObject({
        requests: 1,
        ok: 0,
        cancelled: 1,
        errors: 1,
        faults: 0,
        inFlight: 0,
      });
    },
  );
});
