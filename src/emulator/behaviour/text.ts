/**
 * Deterministic text for the emulator, and the token count that agrees with it.
 *
 * A token is a run of up to 6 ASCII letters, a single digit, or any other single non-space
 * character; whitespace is free. This is close enough to real tokenizers (about 4 characters per
 * token on English) to make quotas and costs realistic, and simple enough that a test can check a
 * count by hand. Replies are built token by token from a word list, seeded by a hash of the request,
 * so the same request always gets the same reply.
 */
import { createHash } from 'node:crypto';

const TOKEN = /[A-Za-z]{1,6}|[0-9]|[^\sA-Za-z0-9]/g;

export function countTokens(text: string): number {
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) n++;
  return n;
}

const WORDS = (
  'the a to of and in is it for on that this with as be are at by from we you can not your our will ' +
  'order refund ticket issue user team plan data report price case note reply fix app email login ' +
  'sign check update review share help ask need send thank sorry please soon today week later still ' +
  'again first next last best good clear quick simple short safe happy able sure ready open closed ' +
  'billing bug urgent normal low high status result answer detail summary topic reason cause step ' +
  'account access reset change cancel renew charge paid failed works broken slow fast error again'
)
  .split(' ')
  // Words of at most 6 letters are one token each, so a reply of N pieces is N tokens.
  .filter((w) => w.length > 0 && w.length <= 6);

/** A small deterministic generator (mulberry32) seeded from the request hash. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(material: string): number {
  return createHash('sha256').update(material).digest().readUInt32BE(0);
}

/** The natural length of a reply when no directive sets it: 12 to 71 tokens. */
export function naturalLength(seed: number): number {
  return 12 + (seed % 60);
}

/**
 * Exactly `tokens` tokens of text as separate pieces (each piece one token, with its leading space
 * where one belongs), so streams can send them one delta at a time.
 */
export function generatePieces(seed: number, tokens: number): string[] {
  const random = prng(seed);
  const pieces: string[] = [];
  let sentence = 0;
  let sentenceLength = 6 + Math.floor(random() * 9);
  while (pieces.length < tokens) {
    const remaining = tokens - pieces.length;
    if (sentence >= sentenceLength && remaining > 1) {
      pieces.push('.');
      sentence = 0;
      sentenceLength = 6 + Math.floor(random() * 9);
      continue;
    }
    let word = WORDS[Math.floor(random() * WORDS.length)] ?? 'the';
    if (sentence === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
    pieces.push(pieces.length === 0 ? word : ` ${word}`);
    sentence++;
  }
  return pieces;
}

export interface Reply {
  text: string;
  /** Each output token's text, in order (joined, they make `text`). */
  pieces: string[];
  outputTokens: number;
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence';
  /** The stop sequence that ended the reply, if one did. */
  stopSequence: string | null;
}

/**
 * The reply to a request: `natural` tokens long, cut at `maxTokens`, and cut before the first stop
 * sequence that appears in what would have been generated.
 */
export function reply(
  seed: number,
  natural: number,
  maxTokens: number,
  stopSequences: readonly string[],
): Reply {
  const limit = Math.min(natural, maxTokens);
  const pieces = generatePieces(seed, limit);
  const full = pieces.join('');
  let cut = -1;
  let matched: string | null = null;
  for (const stop of stopSequences) {
    const at = full.indexOf(stop);
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      matched = stop;
    }
  }
  if (matched !== null) {
    const text = full.slice(0, cut);
    return {
      text,
      pieces: splitAt(pieces, cut),
      outputTokens: countTokens(text),
      stopReason: 'stop_sequence',
      stopSequence: matched,
    };
  }
  return {
    text: full,
    pieces,
    outputTokens: countTokens(full),
    stopReason: natural > maxTokens ? 'max_tokens' : 'end_turn',
    stopSequence: null,
  };
}

/** The pieces covering the first `length` characters, the last one shortened to fit. */
function splitAt(pieces: string[], length: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const piece of pieces) {
    if (used >= length) break;
    const take = piece.slice(0, length - used);
    if (take !== '') out.push(take);
    used += piece.length;
  }
  return out;
}
