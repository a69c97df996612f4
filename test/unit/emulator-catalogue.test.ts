import { describe, expect, it } from 'vitest';
import { knownModelIds, resolveModel } from '../../src/emulator/catalogue.js';

describe('emulator model catalogue', () => {
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
