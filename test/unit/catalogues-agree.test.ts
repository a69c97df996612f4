/**
 * The client's model catalogue (src/bedrock/model-facts.ts) and the emulator's (src/emulator/
 * models.json) are two data files on purpose: the emulator shares no code with the client, so a
 * wrong fact cannot hide on both sides at once. This keeps them from drifting: every model, its
 * family and native body, its lifecycle, output limit, context window, the profiles of a
 * profile-only model, tiers, prompt caching and output burndown must agree. A difference fails here, named, before any test that
 * calls the emulator could pass for the wrong reason.
 */
import { describe, expect, it } from 'vitest';
import { codecFor } from '../../src/bedrock/families/index.js';
import { isMistralChat } from '../../src/bedrock/families/mistral.js';
import { MODEL_FACTS, type ModelFacts } from '../../src/bedrock/model-facts.js';
import type { ModelInfo } from '../../src/emulator/catalogue/catalogue.js';
import table from '../../src/emulator/catalogue/models.json' with { type: 'json' };

const EMULATED = new Map((table.models as ModelInfo[]).map((m) => [m.id, m]));

/**
 * Models the client knows (prices, tiers) that the emulator does not serve: open-weight models the
 * client calls through Converse only (no native body family on either side). Each must stay
 * without a client codec, so nothing the client could send natively goes untested.
 */
const CLIENT_ONLY = new Set([
  'openai.gpt-oss-120b-1:0',
  'openai.gpt-oss-20b-1:0',
  'qwen.qwen3-32b-v1:0',
  'deepseek.r1-v1:0',
]);

const sorted = (list: readonly string[] | undefined) => [...(list ?? [])].sort();

/** Every fact on which the two entries for one model differ, named; empty when they agree. */
function disagreements(id: string, facts: ModelFacts, model: ModelInfo): string[] {
  const pairs: Array<[string, unknown, unknown]> = [
    ['family', codecFor(id)?.name, model.family],
    ['status', facts.lifecycle?.state ?? 'active', model.status],
    ['output limit', facts.maxOutput, model.maxOutputTokens],
    ['context window', facts.contextWindow, model.contextWindow],
    ['profile only', facts.profileOnly !== undefined, model.profileOnly === true],
    ['tiers', sorted(facts.tiers), sorted(model.tiers)],
    ['cache minimum', facts.cache?.minTokens, model.cacheMinimum],
    ['output burndown', facts.burndown, model.outputBurndown ?? 1],
  ];
  if (facts.profileOnly) pairs.push(['profiles', sorted(facts.profileOnly), sorted(model.profiles)]);
  if (model.family === 'mistral')
    pairs.push(['mistral body', isMistralChat(id) ? 'chat' : 'text', model.mistralChat ? 'chat' : 'text']);
  return pairs
    .filter(([, client, emulator]) => JSON.stringify(client) !== JSON.stringify(emulator))
    .map(
      ([what, client, emulator]) =>
        `${what}: client ${JSON.stringify(client)}, emulator ${JSON.stringify(emulator)}`,
    );
}

describe('the client and emulator catalogues', () => {
  it('know the same models (the Converse-only open-weight ones aside)', () => {
    const client = Object.keys(MODEL_FACTS).filter((id) => !CLIENT_ONLY.has(id));
    expect(sorted(client)).toEqual(sorted([...EMULATED.keys()]));
    for (const id of CLIENT_ONLY) {
      expect(MODEL_FACTS[id], id).toBeDefined();
      expect(EMULATED.has(id), id).toBe(false);
      expect(codecFor(id), id).toBeUndefined();
    }
  });

  it.each(Object.keys(MODEL_FACTS).filter((id) => EMULATED.has(id)))('agree on %s', (id) => {
    expect(disagreements(id, MODEL_FACTS[id] as ModelFacts, EMULATED.get(id) as ModelInfo)).toEqual([]);
  });

  it('every Mistral entry on the client names its body (text or chat)', () => {
    for (const [id, facts] of Object.entries(MODEL_FACTS))
      if (id.startsWith('mistral.')) expect(facts.mistralBody, id).toMatch(/^(text|chat)$/);
  });

  // The comparison itself can fail: each kind of drift, made on a copy, is named.
  it.each([
    ['family', 'mistral.mistral-large-2407-v1:0', {}, { family: 'llama' }],
    ['mistral body', 'mistral.ministral-3-8b-instruct', {}, { mistralChat: false }],
    ['status', 'amazon.nova-premier-v1:0', {}, { status: 'active' }],
    ['output limit', 'amazon.nova-pro-v1:0', { maxOutput: 5000 }, {}],
    ['context window', 'meta.llama3-8b-instruct-v1:0', {}, { contextWindow: 128_000 }],
    ['profile only', 'meta.llama3-3-70b-instruct-v1:0', {}, { profileOnly: false }],
    ['profiles', 'anthropic.claude-opus-4-1-20250805-v1:0', {}, { profiles: ['us', 'eu'] }],
    ['tiers', 'amazon.nova-pro-v1:0', { tiers: ['flex'] }, {}],
    ['cache minimum', 'amazon.nova-lite-v1:0', {}, { cacheMinimum: 1024 }],
    ['output burndown', 'anthropic.claude-sonnet-4-6', { burndown: 1 }, {}],
  ] as const)('a drift in %s is caught', (what, id, client, emulator) => {
    const facts = { ...(MODEL_FACTS[id] as ModelFacts), ...client } as ModelFacts;
    const model = { ...(EMULATED.get(id) as ModelInfo), ...emulator } as ModelInfo;
    const found = disagreements(id, facts, model);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${what}: `));
  });
});
