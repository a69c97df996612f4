/**
 * Service tiers and performance configuration, checked against the catalogue: every model takes
 * `default`; `priority` and `flex` only where models.json lists them (the Nova launch list in
 * reference §10.3); `reserved` needs capacity bought through AWS, which the emulator never has.
 * Latency `optimized` is honoured on the models marked latency-optimized and otherwise falls back
 * to `standard`, as Bedrock does; the echo says which one served the call.
 */

import { EmulatedError } from '../wire/exceptions.js';
import { isObject, Violations } from '../wire/validate.js';
import { hasFeature, type ModelInfo } from './catalogue.js';

export const TIERS = ['priority', 'default', 'flex', 'reserved'];
export const TIER_UNSUPPORTED = 'The provided service tier is not supported for this model.';

/** The tier a call asked for (`serviceTier.type`, or the InvokeModel header), validated. */
export function checkTier(model: ModelInfo, type: unknown, path: string): string | undefined {
  if (type === undefined) return undefined;
  if (typeof type !== 'string' || !TIERS.includes(type)) {
    const v = new Violations();
    v.add(path, type, `Member must satisfy enum value set: [${TIERS.join(', ')}]`);
    v.throwIfAny();
  }
  const tier = type as string;
  if (tier !== 'default' && !(model.tiers ?? []).includes(tier))
    throw new EmulatedError('ValidationException', TIER_UNSUPPORTED);
  return tier;
}

/** Converse's `serviceTier` member: a structure with `type`. */
export function converseTier(model: ModelInfo, member: unknown): string | undefined {
  if (member === undefined) return undefined;
  if (!isObject(member)) {
    const v = new Violations();
    v.add('serviceTier', member, 'Member must be a structure');
    v.throwIfAny();
  }
  return checkTier(model, (member as Record<string, unknown>).type, 'serviceTier.type');
}

/** The latency that serves the call: `optimized` only where the model offers it. */
export function checkLatency(model: ModelInfo, latency: unknown, path: string): string | undefined {
  if (latency === undefined) return undefined;
  if (latency !== 'standard' && latency !== 'optimized') {
    const v = new Violations();
    v.add(path, latency, 'Member must satisfy enum value set: [standard, optimized]');
    v.throwIfAny();
  }
  return latency === 'optimized' && hasFeature(model, 'latency-optimized') ? 'optimized' : 'standard';
}

export function converseLatency(model: ModelInfo, member: unknown): string | undefined {
  if (member === undefined) return undefined;
  if (!isObject(member)) {
    const v = new Violations();
    v.add('performanceConfig', member, 'Member must be a structure');
    v.throwIfAny();
  }
  return checkLatency(model, (member as Record<string, unknown>).latency, 'performanceConfig.latency');
}
