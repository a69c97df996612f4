import { describe, expect, it } from 'vitest';
import {
  admitModel,
  catalogue,
  END_OF_LIFE,
  knownModelIds,
  onDemandRefused,
  resolveModel,
} from '../../src/emulator/catalogue/catalogue.js';
import { INVALID_MODEL } from '../../src/emulator/wire/exceptions.js';

describe('emulator model catalogue', () => {
  it('holds the current models the issue names, each with its limits', () => {
    for (const id of [
      'anthropic.claude-sonnet-4-6',
      'anthropic.claude-opus-4-6-v1',
      'anthropic.claude-haiku-4-5-20251001-v1:0',
      'amazon.nova-2-lite-v1:0',
      'mistral.mistral-large-3-675b-instruct',
      'mistral.ministral-3-3b-instruct',
    ]) {
      const model = resolveModel(id);
      expect(model?.status, id).toBe('active');
      expect(model?.contextWindow).toBeGreaterThan(model?.maxOutputTokens ?? 0);
    }
    for (const model of catalogue()) {
      // A profile-only model with no profile could never be called.
      if (model.profileOnly) expect(model.profiles.length, model.id).toBeGreaterThan(0);
      expect(['active', 'legacy', 'eol']).toContain(model.status);
    }
  });

  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', 'ResourceNotFoundException', END_OF_LIFE],
    ['global.anthropic.claude-3-haiku-20240307-v1:0', 'ResourceNotFoundException', END_OF_LIFE],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'ResourceNotFoundException', END_OF_LIFE],
    [
      'anthropic.claude-haiku-4-5-20251001-v1:0',
      'ValidationException',
      onDemandRefused('anthropic.claude-haiku-4-5-20251001-v1:0'),
    ],
    [
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-6-v1',
      'ValidationException',
      onDemandRefused('anthropic.claude-opus-4-6-v1'),
    ],
    ['au.anthropic.claude-sonnet-4-6', 'ValidationException', INVALID_MODEL],
    ['global.amazon.nova-micro-v1:0', 'ValidationException', INVALID_MODEL],
    [
      'arn:aws:bedrock:us-east-1:1:inference-profile/amazon.nova-micro-v1:0',
      'ValidationException',
      INVALID_MODEL,
    ],
  ])('admitModel(%s) refuses with %s', (id, exception, message) => {
    expect(() => admitModel(id)).toThrow(expect.objectContaining({ exception, message }));
  });

  it.each([
    'global.anthropic.claude-haiku-4-5-20251001-v1:0',
    'amazon.nova-micro-v1:0',
    'us.meta.llama3-3-70b-instruct-v1:0',
    'mistral.ministral-3-14b-instruct',
  ])('admitModel(%s) admits it', (id) => {
    expect(admitModel(id).id).toBe(resolveModel(id)?.id);
  });

  it('lets CountTokens name the base id of a profile-only model (it counts for the foundation model)', () => {
    expect(admitModel('anthropic.claude-haiku-4-5-20251001-v1:0', true).id).toBe(
      'anthropic.claude-haiku-4-5-20251001-v1:0',
    );
    expect(() => admitModel('anthropic.claude-3-haiku-20240307-v1:0', true)).toThrow(END_OF_LIFE);
  });

  it("holds the seed document's five Claude models and current models of every family", () => {
    const ids = knownModelIds();
    for (const id of [
      'anthropic.claude-3-5-sonnet-20241022-v2:0',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic.claude-3-opus-20240229-v1:0',
      'anthropic.claude-3-sonnet-20240229-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
    ])
      expect(ids).toContain(id);
    const families = new Set(ids.map((id) => resolveModel(id)?.family));
    expect(families).toEqual(new Set(['anthropic', 'nova', 'titan', 'llama', 'mistral']));
  });

  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic.claude-sonnet-4-20250514-v1:0'],
    ['eu.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
    ['apac.anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['us.meta.llama3-2-3b-instruct-v1:0', 'meta.llama3-2-3b-instruct-v1:0'],
    [
      'arn:aws:bedrock:us-west-2::foundation-model/mistral.mistral-large-2407-v1:0',
      'mistral.mistral-large-2407-v1:0',
    ],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
    ],
  ])('resolves %s to %s', (identifier, base) => {
    expect(resolveModel(identifier)?.id).toBe(base);
  });

  it.each([
    'anthropic.claude-3-haiku-20240307-v1',
    'claude-3-haiku-20240307',
    'xx.anthropic.claude-3-haiku-20240307-v1:0',
    'us.us.anthropic.claude-3-haiku-20240307-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc',
    'arn:aws:s3:::bucket/anthropic.claude-3-haiku-20240307-v1:0',
    '',
  ])('does not know %j', (identifier) => {
    expect(resolveModel(identifier)).toBeUndefined();
  });
});
