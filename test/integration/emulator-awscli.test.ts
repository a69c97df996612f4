/**
 * The AWS CLI (v1, HTTP/1.1 through botocore), unmodified, pointed at the emulator by
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME. CLI v1 has converse, invoke-model and count-tokens but no
 * streaming commands, so those are what it is tested on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { awsEnv, HAIKU, HAIKU_BASE, run } from '../helpers/emulator-clients.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

function aws(args: string[], extraEnv: Record<string, string> = {}) {
  const env = { ...awsEnv(emulator.url), ...extraEnv };
  return { result: run('aws', ['bedrock-runtime', ...args], env), home: env.HOME };
}

const messages = (text: string) => JSON.stringify([{ role: 'user', content: [{ text }] }]);

describe('the AWS CLI', () => {
  it('converse prints the Converse response', async () => {
    const { stdout, code } = await aws([
      'converse',
      '--model-id',
      HAIKU,
      '--messages',
      messages('hi'),
      '--inference-config',
      '{"maxTokens":5}',
    ]).result;
    expect(code).toBe(0);
    const reply = JSON.parse(stdout);
    expect(reply).toMatchObject({
      stopReason: 'max_tokens',
      usage: { inputTokens: 1, outputTokens: 5, totalTokens: 6 },
    });
    expect(reply.output.message.content[0].text.length).toBeGreaterThan(0);
  });

  it('invoke-model writes the native body to its outfile', async () => {
    const { result, home } = aws([
      'invoke-model',
      '--model-id',
      `us.${HAIKU_BASE}`,
      '--body',
      JSON.stringify({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 4,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      '--content-type',
      'application/json',
      '--accept',
      'application/json',
      'out.json',
    ]);
    const { stdout, code, stderr } = await result;
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ contentType: 'application/json' });
    // The CLI writes the outfile relative to its working directory, its HOME here.
    const written = JSON.parse(readFileSync(join(home ?? '', 'out.json'), 'utf8'));
    expect(written).toMatchObject({
      type: 'message',
      stop_reason: 'max_tokens',
      usage: { output_tokens: 4 },
    });
  });

  it('count-tokens counts what converse reports', async () => {
    const input = JSON.stringify({
      converse: { messages: [{ role: 'user', content: [{ text: 'Where is order 42?' }] }] },
    });
    const counted = await aws(['count-tokens', '--model-id', HAIKU, '--input', input]).result;
    const converse = await aws([
      'converse',
      '--model-id',
      HAIKU,
      '--messages',
      messages('Where is order 42?'),
    ]).result;
    expect(JSON.parse(counted.stdout).inputTokens).toBe(JSON.parse(converse.stdout).usage.inputTokens);
  });

  it.each([
    [
      ['converse', '--model-id', 'anthropic.claude-9', '--messages', messages('hi')],
      'ValidationException',
      'Converse',
      'The provided model identifier is invalid.',
    ],
    [
      ['converse', '--model-id', HAIKU, '--messages', messages('[[emulator:error=AccessDeniedException]]')],
      'AccessDeniedException',
      'Converse',
      "You don't have access to the model with the specified model ID.",
    ],
    [
      ['count-tokens', '--model-id', HAIKU, '--input', '{"converse":{"messages":[]}}'],
      'ValidationException',
      'CountTokens',
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    ],
  ])('reports %j as the error class we sent', async (args, name, operation, message) => {
    const { code, stderr } = await aws(args).result;
    expect(code).toBe(255);
    expect(stderr.trim()).toBe(
      `An error occurred (${name}) when calling the ${operation} operation: ${message}`,
    );
  });

  it('retries a throttle on its own and succeeds, which the stats count', async () => {
    const { code } = await aws(
      ['converse', '--model-id', HAIKU, '--messages', messages('[[emulator:throttle=1]] hi')],
      { AWS_MAX_ATTEMPTS: '2' },
    ).result;
    expect(code).toBe(0);
    expect(emulator.stats()).toMatchObject({
      requests: 2,
      ok: 1,
      throttled: 1,
      byException: { ThrottlingException: 1 },
    });
  });
});
