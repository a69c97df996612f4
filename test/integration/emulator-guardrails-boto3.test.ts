/**
 * The guardrail control plane (and ApplyGuardrail) through unmodified boto3, in a python3 child
 * process: botocore's own `bedrock` and `bedrock-runtime` parsers read our JSON and errors, and the
 * script checks every raw response body against botocore's output shape (no shape problem allowed).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { awsEnv, run } from '../helpers/emulator-clients.js';

const SCRIPT = join(import.meta.dirname, '../helpers/emulator-guardrails-boto3.py');

// biome-ignore lint/suspicious/noExplicitAny: the script's JSON is read by path
type Seen = Record<string, any>;

let emulator: Emulator;
let seen: Seen;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const result = await run('python3', [SCRIPT], {
    ...awsEnv(emulator.url),
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
  });
  if (result.code !== 0) throw new Error(`boto3 guardrail script failed: ${result.stderr}`);
  seen = JSON.parse(result.stdout) as Seen;
});
afterAll(() => emulator.close());

describe('boto3 guardrail control plane', () => {
  it('answers every operation in botocore output shapes (raw bodies checked member by member)', () => {
    expect(seen.shapeProblems).toEqual([]);
    expect(new Set(seen.shapesChecked)).toEqual(
      new Set([
        'CreateGuardrail',
        'GetGuardrail',
        'UpdateGuardrail',
        'CreateGuardrailVersion',
        'ListGuardrails',
        'DeleteGuardrail',
        'ApplyGuardrail',
        'Converse',
      ]),
    );
  });

  it('creates a guardrail: a 12-character id, its ARN, version DRAFT (CreateGuardrailResponse)', () => {
    expect(seen.created.id).toMatch(/^[a-z0-9]{12}$/);
    expect(seen.created.arn).toBe(`arn:aws:bedrock:us-east-1:123456789012:guardrail/${seen.created.id}`);
    expect(seen.created.version).toBe('DRAFT');
    expect(seen.created.createdAtIsDate).toBe(true);
    // CreateGuardrailRequest.clientRequestToken is an idempotency token.
    expect(seen.idempotent).toBe(true);
  });

  it('reads the policies back in GetGuardrailResponse form, defaults filled in', () => {
    expect(seen.draft).toMatchObject({ name: 'boto3-guardrail', version: 'DRAFT', status: 'READY' });
    expect(seen.draft.topicPolicy.topics[0]).toMatchObject({
      name: 'Investment advice',
      type: 'DENY',
      inputAction: 'BLOCK',
      outputEnabled: true,
    });
    expect(seen.draft.contentPolicy.filters.map((f: Seen) => f.type)).toEqual(['HATE', 'PROMPT_ATTACK']);
    expect(seen.draft.wordPolicy).toMatchObject({
      words: [{ text: 'blueberry' }],
      managedWordLists: [{ type: 'PROFANITY' }],
    });
    expect(seen.draft.sensitiveInformationPolicy.piiEntities[0]).toMatchObject({
      type: 'EMAIL',
      action: 'ANONYMIZE',
      inputAction: 'ANONYMIZE',
    });
    // GetGuardrailRequest.guardrailIdentifier takes the ARN too.
    expect(seen.byArn).toBe(seen.created.id);
  });

  it('freezes versions: UpdateGuardrail changes only the DRAFT (CreateGuardrailVersion -> "1", "2")', () => {
    expect([seen.version1, seen.version2]).toEqual(['1', '2']);
    expect(seen.frozen.v1).toEqual(['Sorry, I cannot answer that.', 'first', ['blueberry']]);
    expect(seen.frozen.v2).toEqual(['Changed.', ['raspberry'], false]);
  });

  it('lists DRAFTs, or one guardrail`s versions, in pages (ListGuardrails)', () => {
    expect(seen.listed).toEqual([
      ['boto3-guardrail', 'DRAFT'],
      ['boto3-second', 'DRAFT'],
    ]);
    expect(seen.versions).toEqual(['DRAFT', '1', '2']);
    expect(seen.paged).toEqual([['DRAFT', '1'], true]);
  });

  it('raises the modeled exceptions with their statuses', () => {
    const { errors } = seen;
    // GetGuardrail: ResourceNotFoundException (404) for an unknown id or version.
    expect(errors.getUnknown).toMatchObject({ class: 'ResourceNotFoundException', status: 404 });
    expect(errors.getUnknownVersion).toMatchObject({ class: 'ResourceNotFoundException', status: 404 });
    // GuardrailName pattern [0-9a-zA-Z-_]+.
    expect(errors.badName).toMatchObject({ class: 'ValidationException', status: 400 });
    expect(errors.badName.message).toContain("Value 'bad name!' at 'name' failed to satisfy constraint");
    expect(errors.nameTaken).toMatchObject({ class: 'ConflictException', status: 400 });
    // A policy the emulator cannot judge is refused, not stored and never applied.
    expect(errors.unsupported).toMatchObject({
      class: 'ValidationException',
      message: 'The emulator does not support crossRegionConfig.',
    });
    // The runtime refuses an unknown guardrail with Bedrock's captured wording (docs/emulator-guardrails.md).
    expect(errors.applyUnknown).toMatchObject({
      class: 'ValidationException',
      status: 400,
      message: 'The provided guardrail identifier is invalid.',
    });
    expect(errors.applyUnknownVersion).toMatchObject({
      class: 'ValidationException',
      message: 'The guardrail identifier or version provided in the request does not exist.',
    });
  });

  it('deletes a version, then the guardrail (DeleteGuardrail, 202)', () => {
    expect(seen.afterVersionDelete).toEqual(['DRAFT', '2']);
    expect(seen.deleted).toMatchObject({ class: 'ResourceNotFoundException', status: 404 });
  });
});

describe('boto3 ApplyGuardrail', () => {
  it('masks an email and a custom regex match on ANONYMIZE (GuardrailAction GUARDRAIL_INTERVENED)', () => {
    const { applyMasked } = seen;
    expect(applyMasked.action).toBe('GUARDRAIL_INTERVENED');
    expect(applyMasked.outputs).toEqual([{ text: 'Mail me at {EMAIL} about {ticket}' }]);
    expect(applyMasked.pii.piiEntities).toEqual([
      { match: 'ann@example.com', type: 'EMAIL', action: 'ANONYMIZED', detected: true },
    ]);
    expect(applyMasked.pii.regexes).toEqual([
      { name: 'ticket', match: 'TKT-1234', regex: 'TKT-[0-9]{4}', action: 'ANONYMIZED', detected: true },
    ]);
    // GuardrailUsage: one text unit (up to 1,000 characters) per policy evaluated.
    expect(applyMasked.usage).toEqual({
      topicPolicyUnits: 1,
      contentPolicyUnits: 1,
      wordPolicyUnits: 1,
      sensitiveInformationPolicyUnits: 1,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: 0,
    });
  });

  it('reads Converse`s trace.guardrail (GuardrailTraceAssessment) with an answer blocked by a filter', () => {
    expect(seen.converse).toEqual({
      stopReason: 'guardrail_intervened',
      text: 'Sorry, the answer was blocked.',
      trace: ['inputAssessment', 'modelOutput', 'outputAssessments'],
    });
  });

  it('blocks a custom word with the blocked-input message', () => {
    expect(seen.applyBlocked).toEqual({
      action: 'GUARDRAIL_INTERVENED',
      outputs: [{ text: 'Sorry, I cannot answer that.' }],
      words: {
        customWords: [{ match: 'blueberry', action: 'BLOCKED', detected: true }],
        managedWordLists: [],
      },
    });
  });
});
