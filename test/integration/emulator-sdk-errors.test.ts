/**
 * Errors as the real AWS SDK for JavaScript sees them: for each exception we send, the class the
 * SDK raises has that name and status; in-stream exceptions surface from the stream's iterator
 * with their modeled class, after the events before them.
 */
import {
  BedrockRuntimeServiceException,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { EXCEPTIONS, type ExceptionName } from '../../src/emulator/wire/exceptions.js';
import { useEmulator } from '../helpers/emulator.js';
import { HAIKU, sdkClient, type Transport } from '../helpers/emulator-clients.js';

const used = useEmulator();

const messages = (text: string) => [{ role: 'user' as const, content: [{ text }] }];
const anthropic = (text: string) =>
  new TextEncoder().encode(
    JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 20,
      messages: [{ role: 'user', content: text }],
    }),
  );

async function failure(promise: Promise<unknown>): Promise<BedrockRuntimeServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as BedrockRuntimeServiceException;
  }
  throw new Error('expected the call to fail');
}

const NAMES = Object.keys(EXCEPTIONS) as ExceptionName[];

describe.each<Transport>(['h2', 'http1'])('the JS SDK over %s', (transport) => {
  const client = () => sdkClient(used.emulator.url, transport);

  it.each(NAMES)('raises %s, with its status, when Converse and InvokeModel answer with it', async (name) => {
    const directive = `[[emulator:error=${name}]]`;
    const converse = await failure(
      client().send(new ConverseCommand({ modelId: HAIKU, messages: messages(directive) })),
    );
    const invoke = await failure(
      client().send(new InvokeModelCommand({ modelId: HAIKU, body: anthropic(directive) })),
    );
    for (const error of [converse, invoke]) {
      expect(error).toBeInstanceOf(BedrockRuntimeServiceException);
      expect(error.name).toBe(name);
      expect(error.message).toBe(EXCEPTIONS[name].message);
      expect(error.$metadata.httpStatusCode).toBe(EXCEPTIONS[name].status);
      expect(error.$fault).toBe(EXCEPTIONS[name].status >= 500 ? 'server' : 'client');
      expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(used.emulator.stats()).toMatchObject({ requests: 2, faults: 2, byException: { [name]: 2 } });
  });

  it.each([
    ['Converse', () => new ConverseCommand({ modelId: 'anthropic.claude-9', messages: messages('hi') })],
    [
      'ConverseStream',
      () => new ConverseStreamCommand({ modelId: 'anthropic.claude-9', messages: messages('hi') }),
    ],
    ['InvokeModel', () => new InvokeModelCommand({ modelId: 'anthropic.claude-9', body: anthropic('hi') })],
    [
      'InvokeModelWithResponseStream',
      () =>
        new InvokeModelWithResponseStreamCommand({ modelId: 'anthropic.claude-9', body: anthropic('hi') }),
    ],
    [
      'CountTokens',
      () =>
        new CountTokensCommand({
          modelId: 'anthropic.claude-9',
          input: { converse: { messages: messages('hi') } },
        }),
    ],
  ])(
    '%s on an unknown model raises ValidationException "The provided model identifier is invalid."',
    async (_op, command) => {
      const error = await failure(client().send(command() as ConverseCommand));
      expect([error.name, error.message]).toEqual([
        'ValidationException',
        'The provided model identifier is invalid.',
      ]);
    },
  );

  it.each([
    [
      'an Anthropic body without max_tokens',
      () =>
        new InvokeModelCommand({
          modelId: HAIKU,
          body: new TextEncoder().encode('{"anthropic_version":"bedrock-2023-05-31","messages":[]}'),
        }),
      'Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.',
    ],
    [
      'a Converse temperature of 2',
      () =>
        new ConverseCommand({
          modelId: HAIKU,
          messages: messages('hi'),
          inferenceConfig: { temperature: 2 },
        }),
      "1 validation error detected: Value '2' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1",
    ],
  ])('refuses %s with Bedrock wording', async (_name, command, message) => {
    const error = await failure(client().send(command() as ConverseCommand));
    expect([error.name, error.message]).toEqual(['ValidationException', message]);
  });

  it.each([
    'InternalServerException',
    'ModelStreamErrorException',
    'ValidationException',
    'ThrottlingException',
    'ServiceUnavailableException',
  ] as const)(
    'ConverseStream breaks after its first delta with an in-stream %s, not retried',
    async (name) => {
      const retrying = sdkClient(used.emulator.url, transport, 3);
      const response = await retrying.send(
        new ConverseStreamCommand({ modelId: HAIKU, messages: messages(`[[emulator:midstream=${name}]]`) }),
      );
      const seen: string[] = [];
      const error = await failure(
        (async () => {
          for await (const event of response.stream ?? []) seen.push(Object.keys(event)[0] ?? '?');
        })(),
      );
      expect(error.name).toBe(name);
      expect(error.message).toBe(EXCEPTIONS[name].message);
      expect(seen).toEqual(['messageStart', 'contentBlockDelta']);
      expect(used.emulator.stats()).toMatchObject({
        requests: 1,
        faults: 1,
        midstream: 1,
        byException: { [name]: 1 },
      });
    },
  );

  it.each([
    'InternalServerException',
    'ModelStreamErrorException',
    'ValidationException',
    'ThrottlingException',
    'ModelTimeoutException',
    'ServiceUnavailableException',
  ] as const)(
    'InvokeModelWithResponseStream breaks after its first text chunk with an in-stream %s',
    async (name) => {
      const response = await client().send(
        new InvokeModelWithResponseStreamCommand({
          modelId: HAIKU,
          body: anthropic(`[[emulator:midstream=${name}]]`),
        }),
      );
      const types: string[] = [];
      const error = await failure(
        (async () => {
          for await (const event of response.body ?? [])
            types.push(JSON.parse(Buffer.from(event.chunk?.bytes ?? []).toString()).type);
        })(),
      );
      expect(error.name).toBe(name);
      expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
      expect(used.emulator.stats()).toMatchObject({ requests: 1, midstream: 1 });
    },
  );
});
