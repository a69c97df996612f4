/**
 * Converse with a guardrail, through the real AWS SDK for JavaScript (client-bedrock to make the
 * guardrail, client-bedrock-runtime to call): the prompt judged first (a block answers the
 * blocked-input message and charges no inference), then the answer (blocked or masked), with
 * `stopReason: guardrail_intervened` and `trace.guardrail` in botocore's GuardrailTraceAssessment
 * shape (reference §10.9). Counted in the emulator's stats, never timed.
 */
import { UpdateGuardrailCommand } from '@aws-sdk/client-bedrock';
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { HAIKU, sdkClient } from '../helpers/emulator-clients.js';
import {
  BLOCKED_INPUT,
  BLOCKED_OUTPUT,
  controlClient,
  makeGuardrail,
} from '../helpers/emulator-guardrails.js';

// Counters only between tests: the guardrails made in beforeAll stay.
const used = useEmulator({}, 'stats');
let client: BedrockRuntimeClient;
let guardrail: { id: string; arn: string; version: string };
beforeAll(async () => {
  client = sdkClient(used.emulator.url, 'h2');
  guardrail = await makeGuardrail(used.emulator.url, 'converse-guardrail');
});

function converse(text: string, more: Partial<ConverseCommandInput> = {}) {
  return client.send(
    new ConverseCommand({
      modelId: HAIKU,
      messages: [{ role: 'user', content: [{ text }] }],
      inferenceConfig: { maxTokens: 30 },
      guardrailConfig: {
        guardrailIdentifier: guardrail.id,
        guardrailVersion: guardrail.version,
        trace: 'enabled',
      },
      ...more,
    }),
  );
}

const textOf = (answer: { output?: { message?: { content?: Array<{ text?: string }> } } }) =>
  answer.output?.message?.content?.[0]?.text;

describe('Converse with guardrailConfig', () => {
  it('blocks a custom word in the prompt: the blocked-input message, no inference charged', async () => {
    const answer = await converse('Tell me about blueberry muffins');
    // ConverseResponse.stopReason enum value guardrail_intervened; usage 0 as Bedrock charges none.
    expect(answer.stopReason).toBe('guardrail_intervened');
    expect(textOf(answer)).toBe(BLOCKED_INPUT);
    expect(answer.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    // GuardrailTraceAssessment.inputAssessment: a map keyed by guardrail id; no output was judged.
    const trace = answer.trace?.guardrail;
    expect(trace?.outputAssessments).toBeUndefined();
    expect(trace?.inputAssessment?.[guardrail.id]?.wordPolicy).toEqual({
      customWords: [{ match: 'blueberry', action: 'BLOCKED', detected: true }],
      managedWordLists: [],
    });
    // AppliedGuardrailDetails: the request named this guardrail (GuardrailOrigin REQUEST).
    expect(trace?.inputAssessment?.[guardrail.id]?.appliedGuardrailDetails).toEqual({
      guardrailId: guardrail.id,
      guardrailVersion: '1',
      guardrailArn: guardrail.arn,
      guardrailOrigin: ['REQUEST'],
      guardrailOwnership: 'SELF',
    });
    const stats = used.emulator.stats();
    expect(stats.guardrails).toMatchObject({ evaluations: 1, blocked: 1, masked: 0 });
    expect(stats.outputTokens).toBe(0);
  });

  it('reports an email (ANONYMIZE) in the prompt in the trace, and the model still answers', async () => {
    const answer = await converse('Write to ann@example.com about the refund');
    expect(answer.stopReason).not.toBe('guardrail_intervened');
    expect(answer.usage?.outputTokens).toBeGreaterThan(0);
    const input = answer.trace?.guardrail?.inputAssessment?.[guardrail.id];
    // GuardrailPiiEntityFilter {match, type, action ANONYMIZED, detected}.
    expect(input?.sensitiveInformationPolicy?.piiEntities).toEqual([
      { match: 'ann@example.com', type: 'EMAIL', action: 'ANONYMIZED', detected: true },
    ]);
    // GuardrailInvocationMetrics: text units per policy (1 per 1,000 characters), coverage in characters.
    const characters = 'Write to ann@example.com about the refund'.length;
    expect(input?.invocationMetrics?.usage).toEqual({
      topicPolicyUnits: 1,
      contentPolicyUnits: 1,
      wordPolicyUnits: 1,
      sensitiveInformationPolicyUnits: 1,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: 0,
    });
    expect(input?.invocationMetrics?.guardrailCoverage).toEqual({
      textCharacters: { guarded: characters, total: characters },
    });
    // The answer was judged too (outputAssessments: a list per guardrail id).
    expect(answer.trace?.guardrail?.outputAssessments?.[guardrail.id]).toHaveLength(1);
    expect(used.emulator.stats().guardrails).toMatchObject({ evaluations: 2, blocked: 0 });
  });

  it('blocks an AWS access key, a denied topic, profanity and a scripted content filter', async () => {
    const cases = {
      key: 'My key is AKIAABCDEFGHIJKLMNOP, keep it',
      topic: 'Which shares should I buy?',
      profanity: 'What the hell, this is crap',
      hate: 'Say something [[emulator:guardrail=HATE]]',
    };
    const answers = await Promise.all(Object.values(cases).map((text) => converse(text)));
    expect(answers.map((a) => [a.stopReason, textOf(a)])).toEqual(
      answers.map(() => ['guardrail_intervened', BLOCKED_INPUT]),
    );
    const [key, topic, profanity, hate] = answers.map(
      (a) => a.trace?.guardrail?.inputAssessment?.[guardrail.id],
    );
    expect(key?.sensitiveInformationPolicy?.piiEntities).toEqual([
      { match: 'AKIAABCDEFGHIJKLMNOP', type: 'AWS_ACCESS_KEY', action: 'BLOCKED', detected: true },
    ]);
    expect(topic?.topicPolicy?.topics).toEqual([
      { name: 'Investment advice', type: 'DENY', action: 'BLOCKED', detected: true },
    ]);
    expect(profanity?.wordPolicy?.managedWordLists).toEqual([
      { match: 'crap', type: 'PROFANITY', action: 'BLOCKED', detected: true },
    ]);
    // GuardrailContentFilter {type, confidence, filterStrength, action, detected}.
    expect(hate?.contentPolicy?.filters).toEqual([
      { type: 'HATE', confidence: 'HIGH', filterStrength: 'MEDIUM', action: 'BLOCKED', detected: true },
    ]);
  });

  it('lets a content-filter hit below the filter`s strength through (MEDIUM strength ignores LOW confidence)', async () => {
    const answer = await converse('Say something [[emulator:guardrail=HATE:LOW]]');
    expect(answer.stopReason).not.toBe('guardrail_intervened');
    expect(answer.trace?.guardrail?.inputAssessment?.[guardrail.id]?.contentPolicy?.filters).toEqual([
      { type: 'HATE', confidence: 'LOW', filterStrength: 'MEDIUM', action: 'NONE', detected: false },
    ]);
  });

  it('blocks the answer with the blocked-output message; the model`s tokens are still charged', async () => {
    const answer = await converse('Describe a quiet harbour [[emulator:guardrail=output:VIOLENCE]]');
    expect(answer.stopReason).toBe('guardrail_intervened');
    expect(textOf(answer)).toBe(BLOCKED_OUTPUT);
    expect(answer.usage?.outputTokens).toBeGreaterThan(0);
    const output = answer.trace?.guardrail?.outputAssessments?.[guardrail.id]?.[0];
    expect(output?.contentPolicy?.filters).toEqual([
      { type: 'VIOLENCE', confidence: 'HIGH', filterStrength: 'HIGH', action: 'BLOCKED', detected: true },
    ]);
    expect(used.emulator.stats().guardrails).toMatchObject({ evaluations: 2, blocked: 1 });
  });

  it('masks the answer where an ANONYMIZE regex matches it (the DRAFT, changed by UpdateGuardrail)', async () => {
    const prompt = 'Describe the lighthouse';
    const plain = await client.send(
      new ConverseCommand({
        modelId: HAIKU,
        messages: [{ role: 'user', content: [{ text: prompt }] }],
        inferenceConfig: { maxTokens: 30 },
      }),
    );
    const reply = textOf(plain) ?? '';
    const word = (reply.match(/[A-Za-z]{3,}/g) ?? [])[0] ?? 'missing';
    await controlClient(used.emulator.url).send(
      new UpdateGuardrailCommand({
        guardrailIdentifier: guardrail.id,
        name: 'converse-guardrail',
        blockedInputMessaging: BLOCKED_INPUT,
        blockedOutputsMessaging: BLOCKED_OUTPUT,
        sensitiveInformationPolicyConfig: {
          regexesConfig: [
            { name: 'secret', pattern: `\\b${word}\\b`, action: 'ANONYMIZE', inputEnabled: false },
          ],
        },
      }),
    );
    const answer = await converse(prompt, {
      guardrailConfig: {
        guardrailIdentifier: guardrail.arn,
        guardrailVersion: 'DRAFT',
        trace: 'enabled_full',
      },
    });
    expect(answer.stopReason).toBe('guardrail_intervened');
    expect(textOf(answer)).toBe(reply.replace(new RegExp(`\\b${word}\\b`, 'g'), '{secret}'));
    // enabled_full: the model's own answer is in modelOutput.
    expect(answer.trace?.guardrail?.modelOutput).toEqual([reply]);
    // Regexes alone are the free units (GuardrailUsage.sensitiveInformationPolicyFreeUnits).
    const output = answer.trace?.guardrail?.outputAssessments?.[guardrail.id]?.[0];
    expect(output?.invocationMetrics?.usage?.sensitiveInformationPolicyFreeUnits).toBe(1);
    expect(used.emulator.stats().guardrails.masked).toBe(1);
  });

  it('judges only the guardContent blocks when the request marks any (the rest of the prompt is not judged)', async () => {
    const answer = await converse('', {
      messages: [
        {
          role: 'user',
          content: [
            { text: 'Context: blueberry farm notes' },
            { guardContent: { text: { text: 'Summarize it' } } },
          ],
        },
      ],
    });
    expect(answer.stopReason).not.toBe('guardrail_intervened');
    const marked = await converse('', {
      messages: [{ role: 'user', content: [{ guardContent: { text: { text: 'A blueberry question' } } }] }],
    });
    expect([marked.stopReason, textOf(marked)]).toEqual(['guardrail_intervened', BLOCKED_INPUT]);
  });

  it('sends no trace when trace is disabled, and only what it found otherwise', async () => {
    const answer = await converse('Tell me about blueberry jam', {
      guardrailConfig: { guardrailIdentifier: guardrail.id, guardrailVersion: '1' },
    });
    expect(answer.stopReason).toBe('guardrail_intervened');
    expect(answer.trace).toBeUndefined();
  });
});

describe('an unknown guardrail is refused, never ignored', () => {
  it('answers ValidationException with Bedrock`s wording for an unknown id and an unknown version', async () => {
    const refused = async (guardrailIdentifier: string, guardrailVersion: string) => {
      const error = await converse('Hello', {
        guardrailConfig: { guardrailIdentifier, guardrailVersion },
      }).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
      return [
        (error as Error).name,
        (error as Error).message,
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
      ];
    };
    expect(await refused('nope00000000', '1')).toEqual([
      'ValidationException',
      'The provided guardrail identifier is invalid.',
      400,
    ]);
    expect(await refused(guardrail.id, '42')).toEqual([
      'ValidationException',
      'The guardrail identifier or version provided in the request does not exist.',
      400,
    ]);
    // GuardrailVersion pattern (|([1-9][0-9]{0,7})|(DRAFT)): "latest" is not a version.
    const [name, message] = await refused(guardrail.id, 'latest');
    expect(name).toBe('ValidationException');
    expect(message).toContain(
      "Value 'latest' at 'guardrailConfig.guardrailVersion' failed to satisfy constraint",
    );
    const stats = used.emulator.stats();
    expect(stats.byException.ValidationException).toBe(3);
    expect(stats.guardrails.evaluations).toBe(0);
  });
});
