/**
 * Guardrails on the streaming and native operations, through the real AWS SDK for JavaScript:
 * ConverseStream (stopReason in messageStop, `trace.guardrail` in the metadata event: botocore
 * ConverseStreamMetadataEvent.trace), InvokeModel and InvokeModelWithResponseStream with the
 * X-Amzn-Bedrock-Guardrail* headers (the native body gains `amazon-bedrock-guardrailAction` and
 * `amazon-bedrock-trace`, reference §10.9), and ApplyGuardrail.
 */
import {
  ApplyGuardrailCommand,
  type BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { FAMILIES } from '../helpers/emulator-bodies.js';
import { HAIKU, sdkClient } from '../helpers/emulator-clients.js';
import { BLOCKED_INPUT, BLOCKED_OUTPUT, makeGuardrail } from '../helpers/emulator-guardrails.js';

const used = useEmulator({}, 'stats');
let client: BedrockRuntimeClient;
let guardrail: { id: string; arn: string; version: string };
beforeAll(async () => {
  client = sdkClient(used.emulator.url, 'h2');
  guardrail = await makeGuardrail(used.emulator.url, 'invoke-guardrail');
});

const decode = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
const claude = (text: string) =>
  JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 30,
    messages: [{ role: 'user', content: text }],
  });

async function streamConverse(text: string) {
  const answer = await client.send(
    new ConverseStreamCommand({
      modelId: HAIKU,
      messages: [{ role: 'user', content: [{ text }] }],
      inferenceConfig: { maxTokens: 30 },
      guardrailConfig: {
        guardrailIdentifier: guardrail.id,
        guardrailVersion: guardrail.version,
        trace: 'enabled',
        streamProcessingMode: 'sync',
      },
    }),
  );
  let reply = '';
  let stopReason: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the metadata event is read by path
  let metadata: any;
  for await (const event of answer.stream ?? []) {
    if (event.contentBlockDelta?.delta?.text) reply += event.contentBlockDelta.delta.text;
    if (event.messageStop) stopReason = event.messageStop.stopReason;
    if (event.metadata) metadata = event.metadata;
  }
  return { reply, stopReason, metadata };
}

describe('ConverseStream with guardrailConfig', () => {
  it('streams the blocked-input message, stopReason guardrail_intervened, the trace in metadata', async () => {
    const { reply, stopReason, metadata } = await streamConverse('Any blueberry recipes?');
    expect([reply, stopReason]).toEqual([BLOCKED_INPUT, 'guardrail_intervened']);
    expect(metadata.usage).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(metadata.trace.guardrail.inputAssessment[guardrail.id].wordPolicy.customWords).toEqual([
      { match: 'blueberry', action: 'BLOCKED', detected: true },
    ]);
  });

  it('streams the blocked-output message when the answer trips a filter', async () => {
    const { reply, stopReason, metadata } = await streamConverse(
      'Tell a story [[emulator:guardrail=output:HATE]]',
    );
    expect([reply, stopReason]).toEqual([BLOCKED_OUTPUT, 'guardrail_intervened']);
    expect(metadata.usage.outputTokens).toBeGreaterThan(0);
    expect(
      metadata.trace.guardrail.outputAssessments[guardrail.id][0].contentPolicy.filters[0],
    ).toMatchObject({
      type: 'HATE',
      action: 'BLOCKED',
    });
  });

  it('passes an ordinary prompt with its usual stop reason and both assessments', async () => {
    const { reply, stopReason, metadata } = await streamConverse('Describe a quiet harbour');
    expect(reply.length).toBeGreaterThan(0);
    expect(stopReason).not.toBe('guardrail_intervened');
    expect(Object.keys(metadata.trace.guardrail)).toEqual(['inputAssessment', 'outputAssessments']);
    expect(used.emulator.stats().guardrails).toMatchObject({ evaluations: 2, blocked: 0 });
  });
});

describe('InvokeModel with the guardrail headers', () => {
  const invoke = (
    text: string,
    trace?: 'ENABLED' | 'DISABLED' | 'ENABLED_FULL',
    id = guardrail.id,
    version = '1',
  ) =>
    client.send(
      new InvokeModelCommand({
        modelId: HAIKU,
        body: claude(text),
        guardrailIdentifier: id,
        guardrailVersion: version,
        ...(trace ? { trace } : {}),
      }),
    );

  it('answers the blocked-input message in the native body, with the action and trace fields', async () => {
    const body = decode((await invoke('My key is AKIAABCDEFGHIJKLMNOP', 'ENABLED')).body);
    expect(body.content).toEqual([{ type: 'text', text: BLOCKED_INPUT }]);
    expect(body.usage).toMatchObject({ input_tokens: 0, output_tokens: 0 });
    expect(body['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    expect(
      body['amazon-bedrock-trace'].guardrail.inputAssessment[guardrail.id].sensitiveInformationPolicy
        .piiEntities,
    ).toEqual([{ match: 'AKIAABCDEFGHIJKLMNOP', type: 'AWS_ACCESS_KEY', action: 'BLOCKED', detected: true }]);
  });

  it('says NONE when nothing intervened, and sends no trace unless asked', async () => {
    const body = decode((await invoke('Describe a quiet harbour')).body);
    expect(body['amazon-bedrock-guardrailAction']).toBe('NONE');
    expect(body['amazon-bedrock-trace']).toBeUndefined();
    expect(body.content[0].text.length).toBeGreaterThan(0);
  });

  it('refuses an unknown guardrail named in the headers (ValidationException, 400)', async () => {
    const error = await invoke('Hello', undefined, 'nope00000000').catch((e: Error) => e);
    expect([(error as Error).name, (error as Error).message]).toEqual([
      'ValidationException',
      'The provided guardrail identifier is invalid.',
    ]);
    expect(used.emulator.stats().byException.ValidationException).toBe(1);
  });

  it('adds the guardrail fields to the last chunk of InvokeModelWithResponseStream', async () => {
    const answer = await client.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: HAIKU,
        body: claude('Tell a story [[emulator:guardrail=output:VIOLENCE]]'),
        guardrailIdentifier: guardrail.arn,
        guardrailVersion: 'DRAFT',
        trace: 'ENABLED',
      }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: native chunks are read by path
    const chunks: any[] = [];
    for await (const event of answer.body ?? []) chunks.push(decode(event.chunk?.bytes));
    const text = chunks
      .filter((c) => c.type === 'content_block_delta')
      .map((c) => c.delta.text)
      .join('');
    expect(text).toBe(BLOCKED_OUTPUT);
    const last = chunks.at(-1);
    expect(last['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    expect(last['amazon-bedrock-trace'].guardrail.outputAssessments[guardrail.id]).toHaveLength(1);
    expect(chunks.slice(0, -1).some((c) => 'amazon-bedrock-guardrailAction' in c)).toBe(false);
  });
});

describe.each(FAMILIES)('InvokeModel with a guardrail, $family native body', (family) => {
  it('answers the blocked-input message in the family`s own text field, plain and streamed', async () => {
    const request = {
      modelId: family.modelId,
      body: JSON.stringify(family.body('Any blueberry recipes?', 30)),
      guardrailIdentifier: guardrail.id,
      guardrailVersion: '1',
    };
    const body = decode((await client.send(new InvokeModelCommand(request))).body);
    expect(family.read(body).text).toBe(BLOCKED_INPUT);
    expect(body['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    const streamed = await client.send(new InvokeModelWithResponseStreamCommand(request));
    // biome-ignore lint/suspicious/noExplicitAny: native chunks are read by path
    const chunks: any[] = [];
    for await (const event of streamed.body ?? []) chunks.push(decode(event.chunk?.bytes));
    expect(chunks.map((c) => family.chunkText(c) ?? '').join('')).toBe(BLOCKED_INPUT);
    expect(chunks.at(-1)['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
  });
});

describe('ApplyGuardrail through the JS SDK', () => {
  it('judges OUTPUT content with the blocked-output message and INTERVENTIONS scope', async () => {
    const answer = await client.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: guardrail.id,
        guardrailVersion: '1',
        source: 'OUTPUT',
        content: [{ text: { text: 'Call me, this is crap' } }, { text: { text: 'fine text' } }],
      }),
    );
    expect(answer.action).toBe('GUARDRAIL_INTERVENED');
    expect(answer.outputs).toEqual([{ text: BLOCKED_OUTPUT }]);
    expect(answer.assessments?.[0]?.wordPolicy?.managedWordLists).toEqual([
      { match: 'crap', type: 'PROFANITY', action: 'BLOCKED', detected: true },
    ]);
    // Two texts of under 1,000 characters: two units per policy evaluated.
    expect(answer.usage?.wordPolicyUnits).toBe(2);
    expect(answer.guardrailCoverage?.textCharacters).toEqual({ guarded: 30, total: 30 });
    expect(used.emulator.stats().guardrails).toMatchObject({ evaluations: 1, blocked: 1 });
  });

  it('answers NONE with no outputs when nothing is found', async () => {
    const answer = await client.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: guardrail.id,
        guardrailVersion: 'DRAFT',
        source: 'INPUT',
        content: [{ text: { text: 'A calm sea' } }],
      }),
    );
    expect([answer.action, answer.outputs]).toEqual(['NONE', []]);
  });
});
