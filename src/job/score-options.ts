/**
 * Scoring answers against an expected column (`--expect`, `--match`, `--tolerance`): their entries
 * in the run table. Scoring reads the answer after it is bought and never changes what is sent, so
 * none of these is part of a request's fingerprint: a run with another --match scores the answers
 * it already has again, with no call.
 */

import type { AnswerSchema } from './json-schema.js';
import type { OptionDef } from './option-def.js';
import type { ExpectEntry, MatchMode, RunKey } from './spec.js';
import { fail, OptionValueError, oneOf, textList } from './values.js';

export const MATCH_MODES: readonly MatchMode[] = ['normalized', 'exact', 'contains', 'regex', 'number'];

const BOTH = ['run', 'estimate'] as const;

/** `COLUMN` or `FIELD=COLUMN`; a field named twice is refused (which column would it be?). */
export function parseExpect(flag: string, value: unknown): ExpectEntry[] {
  const entries = textList(flag, value).map((item): ExpectEntry => {
    const at = item.indexOf('=');
    if (at < 0) return { column: item };
    const field = item.slice(0, at);
    const column = item.slice(at + 1);
    if (field === '' || column === '')
      throw new OptionValueError(flag, `must be COLUMN or FIELD=COLUMN, got ${JSON.stringify(item)}`);
    return { field, column };
  });
  const plain = entries.filter((e) => e.field === undefined);
  if (plain.length > 0 && entries.length > 1)
    throw new OptionValueError(
      flag,
      `takes one COLUMN, or FIELD=COLUMN for each scored field of a --json-schema answer, not both or several COLUMNs; got ${entries.map((e) => JSON.stringify(e.field ? `${e.field}=${e.column}` : e.column)).join(', ')}`,
    );
  const fields = entries.map((e) => e.field);
  const twice = fields.find((f, i) => f !== undefined && fields.indexOf(f) !== i);
  if (twice !== undefined) throw new OptionValueError(flag, `names the field "${twice}" twice`);
  return entries;
}

export const SCORE_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'expect',
    key: 'expect',
    type: 'list',
    parse: parseExpect,
    default: [],
    group: 'Output',
    commands: BOTH,
    describe:
      'Score each answer against this input column (results gain expected and match, the summary an accuracy); ' +
      'with --json-schema, FIELD=COLUMN (repeatable) scores that field of the answer (expected_FIELD, match_FIELD)',
  },
  {
    flag: 'match',
    key: 'match',
    type: 'string',
    choices: MATCH_MODES,
    parse: (flag, value) => oneOf(flag, value, MATCH_MODES),
    default: 'normalized',
    group: 'Output',
    commands: BOTH,
    describe:
      'How --expect compares: normalized (trim, case-fold, collapse spaces, drop trailing punctuation), exact, ' +
      'contains (the normalized answer contains the normalized expected value), regex (the expected cell is the pattern), ' +
      'number (within --tolerance; 1,234.5 reads as a number)',
  },
  {
    flag: 'tolerance',
    key: 'tolerance',
    type: 'number',
    parse: (flag, value) => {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      return Number.isFinite(n) && n >= 0 ? n : fail(flag, 'a number from 0 up', value);
    },
    default: 0,
    group: 'Output',
    commands: BOTH,
    describe: '--match number: the largest absolute difference that still matches',
  },
];

/** FIELD=COLUMN needs --json-schema, and FIELD must be one of its top-level properties. */
export function expectProblems(
  expect: readonly ExpectEntry[],
  schema: AnswerSchema | undefined,
): OptionValueError[] {
  const fields = expect.flatMap((e) => (e.field === undefined ? [] : [e.field]));
  if (fields.length === 0) return [];
  if (schema === undefined)
    return [
      new OptionValueError(
        'expect',
        `FIELD=COLUMN scores a field of a --json-schema answer; give --json-schema, or --expect COLUMN`,
      ),
    ];
  const unknown = fields.filter((f) => !schema.properties.includes(f));
  if (unknown.length === 0) return [];
  return [
    new OptionValueError(
      'expect',
      `${unknown.map((f) => JSON.stringify(f)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a top-level property of ${schema.label}; its properties are ${schema.properties.join(', ')}`,
    ),
  ];
}
