/**
 * How one answer is compared with one expected value (`--match`): pure functions, no I/O, so a
 * results file can be scored again under another mode without a call. Each mode is a function of
 * (answer text, expected text); `number` also takes `--tolerance`.
 */

import type { MatchMode } from '../job/spec.js';

export type { MatchMode } from '../job/spec.js';

// Sentence-ending punctuation a model adds or leaves off at will ("Paris." for "Paris"); brackets
// and quotes are kept, since they can be part of an answer ("f(x)").
const TRAILING = /[\s.,;:!?\u2026\u3002]+$/u;

/** Trim, case-fold (NFKC, then lower case), collapse whitespace, strip trailing punctuation. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim().replace(TRAILING, '');
}

/**
 * A number written the way people and models write one: `1,234.5`, `-3`, `+.5`, `1e-3`, `$12`,
 * `−7` (Unicode minus), `42%` (the percent sign is dropped, not divided). A comma is a thousands
 * separator only between groups of three digits: `1,5` is not one and a half.
 */
const NUMBER =
  /[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+\u2212]?\.\d+(?:[eE][-+]?\d+)?/gu;

function toNumber(token: string): number {
  return Number(token.replace(/,/g, '').replace('\u2212', '-'));
}

/** The expected cell as a number: the whole cell (around currency signs and spaces), or undefined. */
export function parseExpectedNumber(text: string): number | undefined {
  const numbers = text.match(NUMBER) ?? [];
  const [only] = numbers;
  if (numbers.length !== 1 || only === undefined) return undefined;
  // Anything but a currency sign, percent or spaces around it means the cell is not a number.
  const rest = text.replace(only, '').replace(/[\s$€£¥%]/gu, '');
  return rest === '' ? toNumber(only) : undefined;
}

/**
 * The number an answer gives: the whole answer when it is one, else the last number in it
 * ("... so the total is 1,234.5."): an answer that reasons ends with its result.
 */
export function answerNumber(text: string): number | undefined {
  const whole = parseExpectedNumber(text.trim());
  if (whole !== undefined) return whole;
  const numbers = text.match(NUMBER);
  const last = numbers?.[numbers.length - 1];
  return last === undefined ? undefined : toNumber(last);
}

/** The expected cell as a pattern: `/pattern/flags`, else the whole cell with no flags. */
export function patternOf(expected: string): RegExp {
  const slashed = /^\/(.*)\/([dgimsuvy]*)$/su.exec(expected);
  return slashed ? new RegExp(slashed[1] ?? '', slashed[2]) : new RegExp(expected);
}

/** What is wrong with an expected cell under this mode (a bad pattern, not a number), or undefined. */
export function expectedProblem(mode: MatchMode, expected: string): string | undefined {
  if (mode === 'regex') {
    try {
      patternOf(expected);
    } catch (error) {
      return `not a valid regular expression for --match regex (${(error as Error).message})`;
    }
  }
  if (mode === 'number' && parseExpectedNumber(expected) === undefined)
    return `${JSON.stringify(expected)} is not a number, as --match number needs`;
  return undefined;
}

/** Whether the answer matches the expected value under `mode`; `tolerance` is for `number`. */
export function matches(mode: MatchMode, answer: string, expected: string, tolerance = 0): boolean {
  switch (mode) {
    case 'exact':
      return answer === expected;
    case 'normalized':
      return normalize(answer) === normalize(expected);
    case 'contains':
      return normalize(answer).includes(normalize(expected));
    case 'regex':
      return patternOf(expected).test(answer);
    case 'number': {
      const want = parseExpectedNumber(expected);
      const got = answerNumber(answer);
      if (want === undefined || got === undefined) return false;
      // Decimals are not exact in binary: 1.3 - 1.2 is 0.10000000000000009, yet within 0.1.
      const slack = 4 * Number.EPSILON * Math.max(Math.abs(want), Math.abs(got));
      return Math.abs(got - want) <= tolerance + slack;
    }
  }
}
