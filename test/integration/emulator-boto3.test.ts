/**
 * The same operations through unmodified boto3 (HTTP/1.1), in a python3 child process pointed at
 * the emulator by AWS_ENDPOINT_URL_BEDROCK_RUNTIME: botocore's own parsers decode our JSON, event
 * streams (CRCs checked) and errors.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { EXCEPTIONS } from '../../src/emulator/wire/exceptions.js';
import { FAMILIES } from '../helpers/emulator-bodies.js';
import { awsEnv, run } from '../helpers/emulator-clients.js';

const SCRIPT = join(import.meta.dirname, '../helpers/emulator-boto3.py');

// biome-ignore lint/suspicious/noExplicitAny: the script's JSON is read by path
type Seen = Record<string, any>;

let emulator: Emulator;
let seen: Seen;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const cases = FAMILIES.map((c) => ({
    family: c.family,
    modelId: c.modelId,
    body: c.body('Classify this ticket', 6),
  }));
  const result = await run(
    'python3',
    [SCRIPT, JSON.stringify(cases), JSON.stringify(Object.keys(EXCEPTIONS))],
    awsEnv(emulator.url),
  );
  if (result.code !== 0) throw new Error(`boto3 script failed: ${result.stderr}`);
  seen = JSON.parse(result.stdout) as Seen;
});
afterAll(() => emulator.close());

describe('boto3', () => {
  it('decodes Converse and a ConverseStream of the same reply', () => {
    const { converse, converseStream } = seen;
    expect(['end_turn', 'max_tokens']).toContain(converse.stopReason);
    expect(converseStream.find((e: Seen) => e.messageStop).messageStop.stopReason).toBe(converse.stopReason);
    expect(converse.usage.totalTokens).toBe(converse.usage.inputTokens + converse.usage.outputTokens);
    const text = converseStream.map((e: Seen) => e.contentBlockDelta?.delta.text ?? '').join('');
    expect(text).toBe(converse.output.message.content[0].text);
    expect(
      converseStream.map((e: Seen) => Object.keys(e)[0]).filter((k: string) => k !== 'contentBlockDelta'),
    ).toEqual(['messageStart', 'contentBlockStop', 'messageStop', 'metadata']);
    expect(converseStream.at(-1).metadata.usage).toEqual(converse.usage);
  });

  it.each(FAMILIES.map((c, i) => [c.family, i, c] as const))(
    'decodes InvokeModel and its stream for %s',
    (_family, i, c) => {
      const invoked = seen.invoke[i];
      expect(invoked.contentType).toBe('application/json');
      expect(c.read(invoked.body).stop).toBe(c.lengthStop);
      expect(invoked.headers['x-amzn-bedrock-output-token-count']).toBe('6');
      expect(invoked.streamContentType).toBe('application/json');
      expect(invoked.chunks.map((chunk: Seen) => c.chunkText(chunk) ?? '').join('')).toBe(
        c.read(invoked.body).text,
      );
      expect(invoked.chunks.at(-1)['amazon-bedrock-invocationMetrics']).toMatchObject({
        inputTokenCount: Number(invoked.headers['x-amzn-bedrock-input-token-count']),
        outputTokenCount: 6,
      });
    },
  );

  it('counts tokens through both CountTokens inputs as Converse reports them', () => {
    expect(seen.countTokens.converse).toBe(seen.converse.usage.inputTokens);
    expect(seen.countTokens.invokeModel).toBe(seen.converse.usage.inputTokens);
  });

  it.each(Object.keys(EXCEPTIONS))('raises client.exceptions.%s for that error, with its status', (name) => {
    const status = EXCEPTIONS[name as keyof typeof EXCEPTIONS].status;
    for (const error of seen.errors[name]) {
      expect(error).toMatchObject({ class: name, code: name, status, modeled: true });
    }
  });

  it('raises ValidationException for an unknown model on all five operations, and for a malformed body', () => {
    for (const error of seen.unknownModel)
      expect(error).toMatchObject({
        class: 'ValidationException',
        message: 'The provided model identifier is invalid.',
      });
    expect(seen.noMaxTokens.message).toBe(
      'Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.',
    );
  });

  it.each(['ModelStreamErrorException', 'ThrottlingException', 'InternalServerException'])(
    'raises EventStreamError with the lowerCamel code for an in-stream %s',
    (name) => {
      for (const attempt of seen.midstream[name]) {
        expect(attempt.error).toEqual({
          Code: name.charAt(0).toLowerCase() + name.slice(1),
          Message: EXCEPTIONS[name as keyof typeof EXCEPTIONS].message,
        });
      }
    },
  );
});
