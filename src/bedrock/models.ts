/**
 * What the client needs to know about a model id before its family (each family's own knowledge is
 * in bedrock/families/): the base id behind an inference-profile prefix or an ARN, how the id is
 * routed, its facts from the one table in model-facts.ts, the checks a request must pass before
 * anything is sent (end of life, profile-only base ids, service tiers, prompt caching), and how
 * Bedrock's TPM quota counts a call.
 */
import type { PromptRequest } from '../types.js';
import { FACT_SOURCES, MODEL_FACTS, type ModelFacts } from './model-facts.js';

const PROFILE_PREFIXES = ['us.', 'eu.', 'apac.', 'global.', 'us-gov.', 'jp.', 'au.', 'ca.'];

/** `arn:...:inference-profile/us.anthropic.x-v1:0` and `us.anthropic.x-v1:0` both give `anthropic.x-v1:0`. */
export function baseModelId(modelId: string): string {
  let id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const prefix = PROFILE_PREFIXES.find((p) => id.startsWith(p));
  if (prefix) id = id.slice(prefix.length);
  return id;
}

/** How a model id is routed: a `global.` profile, a geography's profile (`us.`, ...), or one region. */
export type Routing = 'global' | 'geo' | 'in-region';

export function routingOf(modelId: string): Routing {
  const id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  if (id.startsWith('global.')) return 'global';
  return PROFILE_PREFIXES.some((p) => id.startsWith(p)) ? 'geo' : 'in-region';
}

/** The table's facts for a model id (profiles and ARNs as their base), or undefined when unknown. */
export function modelFacts(modelId: string): ModelFacts | undefined {
  return MODEL_FACTS[baseModelId(modelId)];
}

/** An end-of-life model, named with its date and a current replacement. */
export function lifecycleProblem(modelId: string): string | undefined {
  const life = modelFacts(modelId)?.lifecycle;
  if (life?.state !== 'eol') return undefined;
  return `model "${modelId}" reached end of life on Bedrock (${life.date}) and its calls fail; use ${life.replacement} instead`;
}

/** A base id that Bedrock only serves through an inference profile, with the profile ids to use. */
export function profileProblem(modelId: string): string | undefined {
  const profiles = modelFacts(modelId)?.profileOnly;
  if (!profiles || profiles.length === 0) return undefined;
  const tail = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  if (modelId.includes(':inference-profile/') || PROFILE_PREFIXES.some((p) => tail.startsWith(p)))
    return undefined;
  const base = baseModelId(modelId);
  const geo = profiles.filter((p) => p !== 'global').map((p) => `${p}.${base}`);
  const global = profiles.includes('global')
    ? `global.${base} (any commercial region, no regional premium)`
    : '';
  return `model "${modelId}" can only be called through an inference profile: use ${[global, geo.length > 0 ? `${geo.join(', ')} (to keep data in one geography)` : ''].filter(Boolean).join(', or ')}`;
}

/** A tier the model is known not to offer. Unknown models are let through: Bedrock decides. */
export function tierProblem(modelId: string, tier: string | undefined): string | undefined {
  if (tier === undefined || tier === 'default') return undefined;
  const facts = modelFacts(modelId);
  if (!facts || (facts.tiers as readonly string[]).includes(tier)) return undefined;
  const offered = ['default', ...facts.tiers].join(', ');
  return `model "${modelId}" does not offer the ${tier} service tier (it offers ${offered}; source: ${FACT_SOURCES['aws-tiers']}); use --service-tier default or another model`;
}

/** `--cache-system` on a model without prompt caching, or with a TTL it does not offer. */
export function cacheProblem(modelId: string, ttl: string | undefined): string | undefined {
  if (ttl === undefined) return undefined;
  const facts = modelFacts(modelId);
  if (!facts) return undefined;
  if (!facts.cache)
    return `model "${modelId}" has no prompt caching; remove --cache-system (or use a model that caches)`;
  if (!(facts.cache.ttls as readonly string[]).includes(ttl))
    return `model "${modelId}" caches for ${facts.cache.ttls.join(' or ')} only, not ${ttl}; use --cache-system ${facts.cache.ttls[0]}`;
  return undefined;
}

/** Every model check of one request, the first problem found; checked for every row before sending. */
export function modelProblem(request: PromptRequest): string | undefined {
  return (
    lifecycleProblem(request.model) ??
    profileProblem(request.model) ??
    tierProblem(request.model, request.serviceTier) ??
    cacheProblem(request.model, request.cacheSystem)
  );
}

/** The fewest tokens before a cache point counts, or undefined when the model does not cache. */
export function cacheMinimum(modelId: string): number | undefined {
  return modelFacts(modelId)?.cache?.minTokens;
}

export interface QuotaUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** Output tokens count this many times against TPM (Claude 4 family: 5); 1 for unknown models. */
export function burndownOf(modelId: string): number {
  return modelFacts(modelId)?.burndown ?? 1;
}

/**
 * The output Bedrock reserves against TPM when a call starts (besides every input token, cached
 * ones too): max_tokens, or the model's maximum output when the request sets none.
 */
export function reservedOutput(modelId: string, maxTokens?: number): number {
  return maxTokens ?? modelFacts(modelId)?.maxOutput ?? 4096;
}

/**
 * What the call finally costs the quota: input and cache writes once, output tokens times the
 * model's burndown; cache reads not at all.
 */
export function quotaSettled(modelId: string, usage: QuotaUsage): number {
  return usage.inputTokens + usage.cacheWriteTokens + usage.outputTokens * burndownOf(modelId);
}
