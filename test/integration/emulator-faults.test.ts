/**
 * --fail-rate and --seed: random faults that real clients meet as Bedrock's 500/503/408, dropped
 * connections and mid-stream exceptions, counted through GET /__emulator/stats, and the same
 * sequence again for the same seed.
 */
import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/server.js';
import {
  fetchStats,
  HAIKU,
  python,
  resetEmulator,
  sdkClient,
  type Transport,
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

const messages = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

/** What one call ended with, as the client saw it: ok, an exception name, or a network error. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

describe.each<Transport>(['h2', 'http1'])('--fail-rate 1 with the JS SDK over %s', (transport) => {
  it('fails every Converse call with 500, 503, 408 or a dropped connection, as the stats count', async () => {
    const e = await emulator({ failRate: 1, seed: 5 });
    const client = sdkClient(e.url, transport);
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++)
      outcomes.push(
        await outcome(() =>
          client.send(new ConverseCommand({ modelId: HAIKU, messages: messages(`call ${i}`) })),
        ),
      );
    const seen = tally(outcomes);
    // The SDK reports a connection dropped without a response as a TimeoutError (a network error).
    expect(Object.keys(seen).sort()).toEqual([
      'InternalServerException',
      'ModelTimeoutException',
      'ServiceUnavailableException',
      'TimeoutError',
    ]);
    const stats = await fetchStats(e.url);
    expect(stats).toMatchObject({
      requests: 40,
      ok: 0,
      faults: 40,
      errors: 40,
      throttled: 0,
      dropped: seen.TimeoutError,
    });
    const { TimeoutError: _, ...exceptions } = seen;
    expect(stats.byException).toEqual(exceptions);
  });

  it('breaks streams after their first delta with internalServerException or modelStreamErrorException', async () => {
    const e = await emulator({ failRate: 1, seed: 11 });
    const client = sdkClient(e.url, transport);
    const midstream: string[] = [];
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) {
      outcomes.push(
        await outcome(async () => {
          const converse = i % 2 === 0;
          const events: AsyncIterable<unknown> | undefined = converse
            ? (
                await client.send(
                  new ConverseStreamCommand({ modelId: HAIKU, messages: messages(`call ${i}`) }),
                )
              ).stream
            : (
                await client.send(
                  new InvokeModelWithResponseStreamCommand({
                    modelId: HAIKU,
                    body: new TextEncoder().encode(
                      JSON.stringify({
                        anthropic_version: 'bedrock-2023-05-31',
                        max_tokens: 50,
                        messages: [{ role: 'user', content: `call ${i}` }],
                      }),
                    ),
                  }),
                )
              ).body;
          let received = 0;
          try {
            for await (const _ of events ?? []) received++;
          } catch (error) {
            midstream.push((error as Error).name);
            // messageStart + first delta, or message_start, content_block_start + first delta
            expect(received).toBe(converse ? 2 : 3);
            throw error;
          }
        }),
      );
    }
    expect(outcomes).not.toContain('ok');
    expect(new Set(midstream)).toEqual(new Set(['InternalServerException', 'ModelStreamErrorException']));
    const stats = await fetchStats(e.url);
    expect(stats).toMatchObject({
      requests: 30,
      faults: 30,
      midstream: midstream.length,
      dropped: tally(outcomes).TimeoutError ?? 0,
    });
  });
});

describe('--seed', () => {
  /** A fixed mix of 30 calls, one at a time, and what each met. */
  async function script(e: Emulator): Promise<string[]> {
    const client = sdkClient(e.url, 'http1');
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) {
      outcomes.push(
        await outcome(async () => {
          if (i % 3 !== 2)
            return client.send(new ConverseCommand({ modelId: HAIKU, messages: messages(`call ${i}`) }));
          const response = await client.send(
            new ConverseStreamCommand({ modelId: HAIKU, messages: messages(`call ${i}`) }),
          );
          for await (const _ of response.stream ?? []);
        }),
      );
    }
    return outcomes;
  }

  it('gives the same sequence of faults for the same seed, another for another seed', async () => {
    const [a, b, c] = await Promise.all([
      emulator({ failRate: 0.4, seed: 7 }),
      emulator({ failRate: 0.4, seed: 7 }),
      emulator({ failRate: 0.4, seed: 8 }),
    ]);
    const [first, second, other] = [
      await script(a as Emulator),
      await script(b as Emulator),
      await script(c as Emulator),
    ];
    expect(first).toEqual(second);
    expect(first).not.toEqual(other);
    expect(first.filter((o) => o === 'ok').length).toBeGreaterThan(5);
    expect(first.filter((o) => o !== 'ok').length).toBeGreaterThan(5);
    const [statsA, statsB] = [await fetchStats(a?.url ?? ''), await fetchStats(b?.url ?? '')];
    expect(statsA.faults).toBe(first.filter((o) => o !== 'ok').length);
    expect({ ...statsA.byException, dropped: statsA.dropped }).toEqual({
      ...statsB.byException,
      dropped: statsB.dropped,
    });
  });

  it('starts the sequence over on POST /__emulator/reset', async () => {
    const e = await emulator({ failRate: 0.5, seed: 3 });
    const first = await script(e);
    await resetEmulator(e.url);
    expect(await script(e)).toEqual(first);
  });
});

describe('--fail-rate with boto3', () => {
  it('raises the exception classes and connection errors boto3 knows, as the stats count', async () => {
    const e = await emulator({ failRate: 1, seed: 5 });
    const seen = await python<string[]>(
      `
import json, boto3
from botocore.exceptions import ClientError, ConnectionClosedError
client = boto3.client("bedrock-runtime")
seen = []
for i in range(30):
    try:
        client.converse(modelId="${HAIKU}", messages=[{"role": "user", "content": [{"text": "call %d" % i}]}])
        seen.append("ok")
    except ClientError as e:
        seen.append(type(e).__name__ if type(e).__name__ == e.response["Error"]["Code"] else "mismatch")
    except ConnectionClosedError:
        seen.append("ConnectionClosedError")
print(json.dumps(seen))
`,
      e.url,
    );
    const counts = tally(seen);
    expect(Object.keys(counts).sort()).toEqual([
      'ConnectionClosedError',
      'InternalServerException',
      'ModelTimeoutException',
      'ServiceUnavailableException',
    ]);
    const stats = await fetchStats(e.url);
    const { ConnectionClosedError: dropped, ...exceptions } = counts;
    expect(stats).toMatchObject({ requests: 30, faults: 30, dropped, byException: exceptions });
  });
});
