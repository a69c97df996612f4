/**
 * The entries of a guardrail's policies (topics, content filters, words, managed word lists, PII
 * entities, regexes) checked against botocore's `bedrock` model and read back as GetGuardrail
 * returns them: the per-direction actions default to the entry's action (BLOCK for the block-only
 * policies) and both directions are enabled unless switched off.
 */
import type { ContentFilter, ManagedWords, PiiEntity, Regex, Topic, Word } from '../guardrails/policy.js';
import { isObject, type Violations } from './errors.js';

const TOPIC_NAME = '[0-9a-zA-Z-_ !?.]+';
export const BLOCK = ['BLOCK', 'NONE'];
const PII_ACTION = ['BLOCK', 'ANONYMIZE', 'NONE'];
const STRENGTH = ['NONE', 'LOW', 'MEDIUM', 'HIGH'];
export const FILTER_TYPES = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT', 'PROMPT_ATTACK'];
export const PII_TYPES =
  'ADDRESS AGE AWS_ACCESS_KEY AWS_SECRET_KEY CA_HEALTH_NUMBER CA_SOCIAL_INSURANCE_NUMBER CREDIT_DEBIT_CARD_CVV CREDIT_DEBIT_CARD_EXPIRY CREDIT_DEBIT_CARD_NUMBER DRIVER_ID EMAIL INTERNATIONAL_BANK_ACCOUNT_NUMBER IP_ADDRESS LICENSE_PLATE MAC_ADDRESS NAME PASSWORD PHONE PIN SWIFT_CODE UK_NATIONAL_HEALTH_SERVICE_NUMBER UK_NATIONAL_INSURANCE_NUMBER UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER URL USERNAME US_BANK_ACCOUNT_NUMBER US_BANK_ROUTING_NUMBER US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER US_PASSPORT_NUMBER US_SOCIAL_SECURITY_NUMBER VEHICLE_IDENTIFICATION_NUMBER'.split(
    ' ',
  );

type Raw = Record<string, unknown>;

/** A list member: present or not, within its size bounds; returns its object entries. */
export function list(
  v: Violations,
  path: string,
  value: unknown,
  min: number,
  max?: number,
  required = false,
): Raw[] {
  if (value === undefined || value === null) {
    if (required) v.add(path, null, 'Member must not be null');
    return [];
  }
  if (!Array.isArray(value)) {
    v.add(path, value, 'Member must be a list');
    return [];
  }
  if (value.length < min) v.add(path, value, `Member must have length greater than or equal to ${min}`);
  if (max !== undefined && value.length > max)
    v.add(path, value, `Member must have length less than or equal to ${max}`);
  return value.map((item) => (isObject(item) ? item : {}));
}

export function structure(v: Violations, path: string, value: unknown): Raw | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) v.add(path, value, 'Member must be a structure');
  return isObject(value) ? value : {};
}

export function flag(v: Violations, path: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') v.add(path, value, 'Member must be a boolean');
  return value !== false;
}

/** The per-direction members, defaulting to `fallback` and enabled, as GetGuardrail reads them back. */
function directed<A extends string>(v: Violations, path: string, item: Raw, allowed: string[], fallback: A) {
  v.oneOf(`${path}.inputAction`, item.inputAction, allowed);
  v.oneOf(`${path}.outputAction`, item.outputAction, allowed);
  return {
    inputAction: (item.inputAction ?? fallback) as A,
    outputAction: (item.outputAction ?? fallback) as A,
    inputEnabled: flag(v, `${path}.inputEnabled`, item.inputEnabled),
    outputEnabled: flag(v, `${path}.outputEnabled`, item.outputEnabled),
  };
}

export function topic(v: Violations, path: string, t: Raw): Topic {
  v.text(`${path}.name`, t.name, { required: true, min: 1, max: 100, pattern: TOPIC_NAME });
  v.text(`${path}.definition`, t.definition, { required: true, min: 1, max: 200 });
  const examples = list(v, `${path}.examples`, t.examples, 0, 5);
  for (const [i] of examples.entries())
    v.text(`${path}.examples.${i + 1}.member`, (t.examples as unknown[])[i], { min: 1, max: 100 });
  if (t.type === undefined) v.add(`${path}.type`, null, 'Member must not be null');
  v.oneOf(`${path}.type`, t.type, ['DENY']);
  return {
    name: t.name as string,
    definition: t.definition as string,
    examples: (Array.isArray(t.examples) ? t.examples : []) as string[],
    type: 'DENY',
    ...directed(v, path, t, BLOCK, 'BLOCK'),
  };
}

export function filter(v: Violations, path: string, f: Raw): ContentFilter {
  if (f.type === undefined) v.add(`${path}.type`, null, 'Member must not be null');
  v.oneOf(`${path}.type`, f.type, FILTER_TYPES);
  for (const key of ['inputStrength', 'outputStrength']) {
    if (f[key] === undefined) v.add(`${path}.${key}`, null, 'Member must not be null');
    v.oneOf(`${path}.${key}`, f[key], STRENGTH);
  }
  // Bedrock's rule: the prompt-attack filter judges prompts only.
  if (f.type === 'PROMPT_ATTACK' && f.outputStrength !== undefined && f.outputStrength !== 'NONE')
    v.add(
      `${path}.outputStrength`,
      f.outputStrength,
      'PROMPT_ATTACK content filter strength for output must be NONE',
    );
  return {
    type: f.type as string,
    inputStrength: f.inputStrength as ContentFilter['inputStrength'],
    outputStrength: f.outputStrength as ContentFilter['outputStrength'],
    inputModalities: (f.inputModalities as string[] | undefined) ?? ['TEXT'],
    outputModalities: (f.outputModalities as string[] | undefined) ?? ['TEXT'],
    ...directed(v, path, f, BLOCK, 'BLOCK'),
  };
}

export function word(v: Violations, path: string, w: Raw): Word {
  v.text(`${path}.text`, w.text, { required: true, min: 1, max: 100 });
  return { text: w.text as string, ...directed(v, path, w, BLOCK, 'BLOCK') };
}

export function managedList(v: Violations, path: string, m: Raw): ManagedWords {
  if (m.type === undefined) v.add(`${path}.type`, null, 'Member must not be null');
  v.oneOf(`${path}.type`, m.type, ['PROFANITY']);
  return { type: 'PROFANITY', ...directed(v, path, m, BLOCK, 'BLOCK') };
}

export function piiEntity(v: Violations, path: string, p: Raw): PiiEntity {
  if (p.type === undefined) v.add(`${path}.type`, null, 'Member must not be null');
  v.oneOf(`${path}.type`, p.type, PII_TYPES);
  if (p.action === undefined) v.add(`${path}.action`, null, 'Member must not be null');
  v.oneOf(`${path}.action`, p.action, PII_ACTION);
  const action = (p.action ?? 'BLOCK') as PiiEntity['action'];
  return { type: p.type as string, action, ...directed(v, path, p, PII_ACTION, action) };
}

export function regex(v: Violations, path: string, r: Raw): Regex {
  v.text(`${path}.name`, r.name, { required: true, min: 1, max: 100 });
  v.text(`${path}.description`, r.description, { min: 1, max: 1000 });
  v.text(`${path}.pattern`, r.pattern, { required: true, min: 1, max: 500 });
  if (r.action === undefined) v.add(`${path}.action`, null, 'Member must not be null');
  v.oneOf(`${path}.action`, r.action, PII_ACTION);
  const action = (r.action ?? 'BLOCK') as Regex['action'];
  return {
    name: r.name as string,
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    pattern: r.pattern as string,
    action,
    ...directed(v, path, r, PII_ACTION, action),
  };
}
