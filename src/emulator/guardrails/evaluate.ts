/**
 * One guardrail evaluation: a version's policies applied to texts in one direction (the prompt or
 * the model's answer), as Bedrock runs them, every policy on the same texts. Returns whether a
 * BLOCK fired, the texts with ANONYMIZE matches masked, the GuardrailAssessment (botocore
 * `bedrock-runtime` shape) and the text units each policy used, which Bedrock bills.
 */
import type { ContentHit } from '../behaviour/directives.js';
import { hasPhrase, mask, matchesTopic, PII_PATTERNS, PROFANITY, type Span, spans } from './detect.js';
import { actionIn, type Direction, type GuardrailDefinition, type Strength } from './policy.js';

export type GuardrailUsage = {
  topicPolicyUnits: number;
  contentPolicyUnits: number;
  wordPolicyUnits: number;
  sensitiveInformationPolicyUnits: number;
  sensitiveInformationPolicyFreeUnits: number;
  contextualGroundingPolicyUnits: number;
};

export interface Evaluation {
  /** A BLOCK fired: the caller answers with the guardrail's blocked message. */
  blocked: boolean;
  /** An ANONYMIZE matched and nothing blocked: `texts` are masked. */
  masked: boolean;
  texts: string[];
  /** GuardrailAssessment: the policies that found something (all entries with `full`), and the metrics. */
  assessment: Record<string, unknown>;
  usage: GuardrailUsage;
  characters: number;
}

const RANK = { NONE: 0, LOW: 1, MEDIUM: 2, HIGH: 3 } as const;
/** A filter's strength is the lowest confidence it acts on: HIGH blocks LOW and up, LOW only HIGH. */
const THRESHOLD: Record<Strength, number> = { NONE: 4, LOW: 3, MEDIUM: 2, HIGH: 1 };
const VERB = { BLOCK: 'BLOCKED', ANONYMIZE: 'ANONYMIZED', NONE: 'NONE' } as const;
const DIRECTIVE = /\[\[emulator:[^\]]*\]\]/g;

export function evaluate(
  policy: GuardrailDefinition,
  direction: Direction,
  given: readonly string[],
  hits: readonly ContentHit[],
  full: boolean,
): Evaluation {
  const started = performance.now();
  // The emulator's own directives are not the user's words.
  const texts = given.map((text) => text.replace(DIRECTIVE, ''));
  const assessment: Record<string, unknown> = {};
  let blocked = false;
  const used = { topic: false, content: false, word: false, pii: false, regex: false };

  const topics: unknown[] = [];
  for (const topic of policy.topicPolicy?.topics ?? []) {
    const action = actionIn(topic, direction);
    if (!action) continue;
    used.topic = true;
    const detected = texts.some((text) => matchesTopic(text, topic));
    blocked ||= detected && action === 'BLOCK';
    if (detected || full)
      topics.push({ name: topic.name, type: 'DENY', action: detected ? VERB[action] : 'NONE', detected });
  }
  if (topics.length > 0) assessment.topicPolicy = { topics };

  const filters: unknown[] = [];
  for (const filter of policy.contentPolicy?.filters ?? []) {
    const action = actionIn(filter, direction);
    const strength = direction === 'input' ? filter.inputStrength : filter.outputStrength;
    if (!action || strength === 'NONE') continue;
    used.content = true;
    const confidence = hits
      .filter((hit) => hit.type === filter.type)
      .reduce<keyof typeof RANK>(
        (best, hit) => (RANK[hit.confidence] > RANK[best] ? hit.confidence : best),
        'NONE',
      );
    const detected = RANK[confidence] >= THRESHOLD[strength];
    blocked ||= detected && action === 'BLOCK';
    if (confidence !== 'NONE' || full)
      filters.push({
        type: filter.type,
        confidence,
        filterStrength: strength,
        action: detected ? VERB[action] : 'NONE',
        detected,
      });
  }
  if (filters.length > 0) assessment.contentPolicy = { filters };

  const customWords: unknown[] = [];
  const managedWordLists: unknown[] = [];
  for (const word of policy.wordPolicy?.words ?? []) {
    const action = actionIn(word, direction);
    if (!action) continue;
    used.word = true;
    if (!texts.some((text) => hasPhrase(text, word.text))) continue;
    blocked ||= action === 'BLOCK';
    customWords.push({ match: word.text, action: VERB[action], detected: true });
  }
  for (const list of policy.wordPolicy?.managedWordLists ?? []) {
    const action = actionIn(list, direction);
    if (!action) continue;
    used.word = true;
    for (const word of PROFANITY.filter((w) => texts.some((text) => hasPhrase(text, w)))) {
      blocked ||= action === 'BLOCK';
      managedWordLists.push({ match: word, type: 'PROFANITY', action: VERB[action], detected: true });
    }
  }
  if (customWords.length + managedWordLists.length > 0)
    assessment.wordPolicy = { customWords, managedWordLists };

  // Sensitive information: each span is claimed once, by the first entity type (in PII_PATTERNS'
  // order) or regex that finds it, so a card number is not also a phone number.
  const piiEntities: unknown[] = [];
  const regexes: unknown[] = [];
  const claimed = texts.map(() => [] as Span[]);
  const masks = texts.map(() => [] as Array<Span & { label: string }>);
  const claim = (i: number, span: Span) => {
    const taken = claimed[i] ?? [];
    if (taken.some((c) => span.start < c.end && c.start < span.end)) return false;
    taken.push(span);
    return true;
  };
  const entities = policy.sensitiveInformationPolicy?.piiEntities ?? [];
  const ordered = Object.keys(PII_PATTERNS).flatMap((type) => entities.filter((e) => e.type === type));
  for (const entity of entities) if (actionIn(entity, direction)) used.pii = true;
  for (const entity of ordered) {
    const action = actionIn(entity, direction);
    const pattern = PII_PATTERNS[entity.type];
    if (!action || !pattern) continue;
    for (const [i, text] of texts.entries())
      for (const span of spans(text, pattern, entity.type).filter((s) => claim(i, s))) {
        blocked ||= action === 'BLOCK';
        if (action === 'ANONYMIZE') masks[i]?.push({ ...span, label: entity.type });
        piiEntities.push({ match: span.match, type: entity.type, action: VERB[action], detected: true });
      }
  }
  for (const regex of policy.sensitiveInformationPolicy?.regexes ?? []) {
    const action = actionIn(regex, direction);
    if (!action) continue;
    used.regex = true;
    for (const [i, text] of texts.entries())
      for (const span of spans(text, new RegExp(regex.pattern, 'g')).filter((s) => claim(i, s))) {
        blocked ||= action === 'BLOCK';
        if (action === 'ANONYMIZE') masks[i]?.push({ ...span, label: regex.name });
        regexes.push({
          name: regex.name,
          match: span.match,
          regex: regex.pattern,
          action: VERB[action],
          detected: true,
        });
      }
  }
  if (piiEntities.length + regexes.length > 0)
    assessment.sensitiveInformationPolicy = { piiEntities, regexes };

  const masked = !blocked && masks.some((m) => m.length > 0);
  const characters = given.reduce((sum, text) => sum + text.length, 0);
  // A text unit is up to 1,000 characters, counted per text, per policy evaluated.
  const units = given.reduce((sum, text) => sum + Math.ceil(text.length / 1000), 0);
  const usage: GuardrailUsage = {
    topicPolicyUnits: used.topic ? units : 0,
    contentPolicyUnits: used.content ? units : 0,
    wordPolicyUnits: used.word ? units : 0,
    sensitiveInformationPolicyUnits: used.pii ? units : 0,
    // Regexes alone are free (reference §10.9).
    sensitiveInformationPolicyFreeUnits: used.regex && !used.pii ? units : 0,
    contextualGroundingPolicyUnits: 0,
  };
  assessment.invocationMetrics = {
    guardrailProcessingLatency: Math.round(performance.now() - started),
    usage,
    guardrailCoverage: { textCharacters: { guarded: characters, total: characters } },
  };
  return {
    blocked,
    masked,
    texts: masked ? texts.map((text, i) => mask(text, masks[i] ?? [])) : [...given],
    assessment,
    usage,
    characters,
  };
}
