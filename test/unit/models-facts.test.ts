/**
 * The model table and the checks over it: every entry consistent (sources named, replacements
 * current and callable), the messages for end-of-life ids, profile-only base ids, tiers and
 * caching, and Bedrock's quota accounting against figures worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { FACT_SOURCES, MODEL_FACTS } from '../../src/bedrock/model-facts.js';
import {
  burndownOf,
  cacheProblem,
  lifecycleProblem,
  modelProblem,
  profileProblem,
  quotaSettled,
  reservedOutput,
  routingOf,
  tierProblem,
} from '../../src/bedrock/models.js';
import shipped from '../../src/cost/prices.json' with { type: 'json' };
import type { PromptRequest } from '../../src/types.js';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';

function request(model: string, more: Partial<PromptRequest> = {}): PromptRequest {
  return {
    index: 0,
    line: 2,
    id: '1',
    row: {},
    model,
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
    inference: { maxTokens: 100, stopSequences: [] },
    ...more,
  };
}

describe('the model table', () => {
  it.each(Object.entries(MODEL_FACTS))('%s is consistent and sourced', (id, facts) => {
    expect(FACT_SOURCES[facts.source], `source ${facts.source}`).toBeDefined();
    expect(facts.burndown).toBeGreaterThanOrEqual(1);
    expect(facts.maxOutput).toBeGreaterThan(0);
    expect(facts.contextWindow).toBeGreaterThanOrEqual(facts.maxOutput);
    for (const tier of facts.tiers) expect(['priority', 'flex']).toContain(tier);
    if (facts.cache) expect(facts.cache.ttls[0]).toBe('5m');
    if (facts.lifecycle) {
      expect(FACT_SOURCES[facts.lifecycle.source]).toBeDefined();
      // The replacement is itself current and callable as named.
      expect(lifecycleProblem(facts.lifecycle.replacement)).toBeUndefined();
      expect(profileProblem(facts.lifecycle.replacement)).toBeUndefined();
    }
    // Every model the client knows has a price (or the table says why not).
    expect((shipped.models as Record<string, unknown>)[id], `price for ${id}`).toBeDefined();
  });

  it('knows the Claude 4 family burns output tokens 5x, others 1x, unknown models 1x', () => {
    expect(burndownOf(`global.${HAIKU}`)).toBe(5);
    expect(burndownOf('us.anthropic.claude-sonnet-4-20250514-v1:0')).toBe(5);
    expect(burndownOf('anthropic.claude-3-haiku-20240307-v1:0')).toBe(1);
    expect(burndownOf('amazon.nova-pro-v1:0')).toBe(1);
    expect(burndownOf('acme.unknown-v1')).toBe(1);
  });
});

describe('checks before anything is sent', () => {
  it('refuses an end-of-life id, naming its date and a current replacement', () => {
    expect(lifecycleProblem('anthropic.claude-3-haiku-20240307-v1:0')).toBe(
      'model "anthropic.claude-3-haiku-20240307-v1:0" reached end of life on Bedrock (2026-09) and its calls fail; use global.anthropic.claude-haiku-4-5-20251001-v1:0 instead',
    );
    // Through a profile too: the model behind it is gone.
    expect(lifecycleProblem('us.anthropic.claude-3-5-haiku-20241022-v1:0')).toMatch(/end of life .*2026-06/);
    // Legacy is not end of life.
    expect(lifecycleProblem('us.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBeUndefined();
  });

  it('refuses a profile-only base id, naming the profile ids', () => {
    const message = profileProblem(HAIKU);
    expect(message).toContain(`global.${HAIKU} (any commercial region, no regional premium)`);
    expect(message).toContain(`us.${HAIKU}, eu.${HAIKU}, apac.${HAIKU}, jp.${HAIKU}, au.${HAIKU}`);
    expect(profileProblem(`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`)).toBeDefined();
    for (const ok of [
      `global.${HAIKU}`,
      `eu.${HAIKU}`,
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${HAIKU}`,
      'amazon.nova-micro-v1:0',
      'acme.unknown-v1',
    ])
      expect(profileProblem(ok), ok).toBeUndefined();
  });

  it.each([
    ['amazon.nova-pro-v1:0', 'flex', undefined],
    ['us.amazon.nova-premier-v1:0', 'priority', undefined],
    ['openai.gpt-oss-120b-1:0', 'flex', undefined],
    [`global.${HAIKU}`, 'default', undefined],
    ['acme.unknown-v1', 'flex', undefined],
    [`global.${HAIKU}`, 'flex', /does not offer the flex service tier \(it offers default; source: AWS/],
    ['amazon.nova-micro-v1:0', 'priority', /does not offer the priority service tier/],
  ] as const)('%s at tier %s', (model, tier, problem) => {
    const found = tierProblem(model, tier);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it.each([
    [`global.${HAIKU}`, '1h', undefined],
    ['amazon.nova-lite-v1:0', '5m', undefined],
    ['amazon.nova-lite-v1:0', '1h', /caches for 5m only, not 1h; use --cache-system 5m/],
    ['meta.llama3-1-8b-instruct-v1:0', '5m', /has no prompt caching; remove --cache-system/],
    ['acme.unknown-v1', '5m', undefined],
  ] as const)('%s caching %s', (model, ttl, problem) => {
    const found = cacheProblem(model, ttl);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('modelProblem checks the lifecycle first, then the profile, the tier and the cache', () => {
    expect(modelProblem(request('anthropic.claude-3-haiku-20240307-v1:0', { serviceTier: 'flex' }))).toMatch(
      /end of life/,
    );
    expect(modelProblem(request(HAIKU, { serviceTier: 'flex' }))).toMatch(/inference profile/);
    expect(modelProblem(request(`global.${HAIKU}`, { serviceTier: 'flex' }))).toMatch(/flex service tier/);
    expect(modelProblem(request('mistral.mistral-large-2407-v1:0', { cacheSystem: '5m' }))).toMatch(
      /no prompt caching/,
    );
    expect(modelProblem(request(`global.${HAIKU}`, { cacheSystem: '1h' }))).toBeUndefined();
  });

  it('tells global, geo and in-region ids apart', () => {
    expect(routingOf(`global.${HAIKU}`)).toBe('global');
    expect(routingOf(`arn:aws:bedrock:us-east-1:1:inference-profile/global.${HAIKU}`)).toBe('global');
    expect(routingOf(`us.${HAIKU}`)).toBe('geo');
    expect(routingOf(`jp.${HAIKU}`)).toBe('geo');
    expect(routingOf('amazon.nova-pro-v1:0')).toBe('in-region');
  });
});

describe('quota accounting the way Bedrock counts', () => {
  it.each([
    // model, max_tokens, output reserved
    [`global.${HAIKU}`, 500, 500],
    // No max_tokens: the model's maximum output (64,000 for Haiku 4.5) is reserved.
    [`global.${HAIKU}`, undefined, 64_000],
    ['amazon.nova-micro-v1:0', undefined, 10_000],
    ['acme.unknown-v1', undefined, 4096],
  ] as const)('reserves for the output of %s with max_tokens %s: %i', (model, max, reserved) => {
    expect(reservedOutput(model, max)).toBe(reserved);
  });

  it.each([
    // Claude 4 family: output x5. 200 + 800 written + 100 x 5 = 1,500.
    [
      `global.${HAIKU}`,
      { inputTokens: 200, cacheWriteTokens: 800, cacheReadTokens: 0, outputTokens: 100 },
      1500,
    ],
    // Cache reads were reserved (in the prompt) and are given back: 200 + 0 + 500 = 700.
    [
      `global.${HAIKU}`,
      { inputTokens: 200, cacheWriteTokens: 0, cacheReadTokens: 800, outputTokens: 100 },
      700,
    ],
    // Output x1 elsewhere: 100 + 100 = 200.
    [
      'meta.llama3-1-8b-instruct-v1:0',
      { inputTokens: 100, cacheWriteTokens: 0, cacheReadTokens: 0, outputTokens: 100 },
      200,
    ],
  ] as const)('settles %s at %o: %i', (model, usage, settled) => {
    expect(quotaSettled(model, usage)).toBe(settled);
  });
});
