/**
 * What the emulator's guardrails can find in a text, each rule simple enough for a test to reason
 * about (docs/emulator-guardrails.md):
 * - words and phrases: whole words, case-insensitive (custom words, and the managed PROFANITY list,
 *   a small shipped list);
 * - denied topics: the topic's name or one of its examples as a phrase, or two distinct key words
 *   of its definition (words of 5 letters or more, less a few common ones);
 * - sensitive information: a pattern per entity type (below) and the guardrail's own regexes.
 */

/** The managed PROFANITY list, kept small: what a test needs, not a moderation list. */
export const PROFANITY = [
  'arse',
  'asshole',
  'bastard',
  'bitch',
  'bollocks',
  'bullshit',
  'crap',
  'damn',
  'dickhead',
  'fuck',
  'fucking',
  'goddamn',
  'piss',
  'shit',
  'wanker',
];

/** The entity types found by pattern; any other type of the model's enum is accepted, never found. */
export const PII_PATTERNS: Record<string, RegExp> = {
  AWS_ACCESS_KEY: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  CREDIT_DEBIT_CARD_NUMBER: /\b\d(?:[ -]?\d){12,18}\b/g,
  EMAIL: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g,
  US_SOCIAL_SECURITY_NUMBER: /\b\d{3}-\d{2}-\d{4}\b/g,
  PHONE: /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}\b/g,
  IP_ADDRESS: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g,
  URL: /\bhttps?:\/\/[^\s"'<>]+/g,
};

const COMMON = new Set([
  'about',
  'above',
  'after',
  'against',
  'their',
  'there',
  'these',
  'those',
  'which',
  'while',
  'would',
  'could',
  'should',
  'other',
  'where',
  'being',
  'including',
  'related',
  'questions',
  'topics',
  'anything',
]);

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `phrase` occurs in `text` as whole words, whatever the case and the spacing. */
export function hasPhrase(text: string, phrase: string): boolean {
  const words = phrase.trim().split(/\s+/).filter(Boolean).map(escapeRegex);
  if (words.length === 0) return false;
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

/** The words of a text, lower-cased. */
function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []);
}

export function matchesTopic(
  text: string,
  topic: { name: string; definition: string; examples: string[] },
): boolean {
  if (hasPhrase(text, topic.name) || topic.examples.some((example) => hasPhrase(text, example))) return true;
  const seen = wordsOf(text);
  const keys = [...wordsOf(topic.definition)].filter((w) => w.length >= 5 && !COMMON.has(w));
  return keys.filter((key) => seen.has(key)).length >= 2;
}

export interface Span {
  start: number;
  end: number;
  match: string;
}

/** Every match of a pattern, as spans; a card number must also pass the Luhn check, as real ones do. */
export function spans(text: string, pattern: RegExp, type?: string): Span[] {
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
  const found: Span[] = [];
  for (const m of text.matchAll(global)) {
    if (m[0] === '') continue;
    if (type === 'CREDIT_DEBIT_CARD_NUMBER' && !luhn(m[0])) continue;
    found.push({ start: m.index, end: m.index + m[0].length, match: m[0] });
  }
  return found;
}

function luhn(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Replaces each span (non-overlapping, the earliest first) with its mask, `{EMAIL}` or `{name}`. */
export function mask(text: string, masks: Array<Span & { label: string }>): string {
  const sorted = [...masks].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const m of sorted) {
    if (m.start < at) continue;
    out += `${text.slice(at, m.start)}{${m.label}}`;
    at = m.end;
  }
  return out + text.slice(at);
}
