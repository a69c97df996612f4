/** Every --match mode, table-style, with the edge cases each one is for. */
import { describe, expect, it } from 'vitest';
import { parseExpect } from '../../src/job/score-options.js';
import {
  answerNumber,
  expectedProblem,
  matches,
  normalize,
  parseExpectedNumber,
} from '../../src/score/match.js';

describe('normalize', () => {
  it.each([
    ['  Paris. ', 'paris'],
    ['New\t\nYork!!', 'new york'],
    ['BILLING', 'billing'],
    ['f(x)', 'f(x)'],
    ['ﬁne', 'fine'], // NFKC folds the ligature
    ['What?…', 'what'],
    ['', ''],
  ])('%j -> %j', (text, want) => expect(normalize(text)).toBe(want));
});

describe('--match', () => {
  it.each([
    // mode, answer, expected, tolerance, matches?
    ['exact', 'Paris', 'Paris', 0, true],
    ['exact', 'Paris.', 'Paris', 0, false],
    ['exact', 'paris', 'Paris', 0, false],
    ['normalized', ' paris. ', 'Paris', 0, true],
    ['normalized', 'PARIS\n', 'paris!', 0, true],
    ['normalized', 'Paris, France', 'Paris', 0, false],
    ['normalized', 'New  York', 'new york', 0, true],
    ['contains', 'The capital is Paris.', 'paris', 0, true],
    ['contains', 'The capital is Lyon.', 'Paris', 0, false],
    ['contains', 'It is  NEW york city', 'New York.', 0, true],
    ['regex', 'order #12345 shipped', '#\\d{5}\\b', 0, true],
    ['regex', 'order #1234 shipped', '#\\d{5}\\b', 0, false],
    ['regex', 'YES', '/^yes$/i', 0, true],
    ['regex', 'YES', '^yes$', 0, false],
    ['number', '1,234.5', '1234.5', 0, true],
    ['number', 'The total is $1,234.50.', '1234.5', 0, true],
    ['number', 'Step 1 gives 3, so the answer is 42', '42', 0, true],
    ['number', '41.6', '42', 0.5, true],
    ['number', '41.4', '42', 0.5, false],
    ['number', '1.3', '1.2', 0.1, true], // 1.3 - 1.2 = 0.10000000000000009 in binary
    ['number', '\u22127', '-7', 0, true],
    ['number', '1e3', '1,000', 0, true],
    ['number', 'no number here', '0', 0, false],
    ['number', '1,5', '1.5', 0, false], // a comma is only a thousands separator
  ] as const)('%s: %j against %j (tolerance %d) -> %s', (mode, answer, expected, tolerance, want) =>
    expect(matches(mode, answer, expected, tolerance)).toBe(want),
  );
});

describe('numbers', () => {
  it.each([
    ['1,234.5', 1234.5],
    ['  -3 ', -3],
    ['$12', 12],
    ['42%', 42],
    ['.5', 0.5],
    ['12 apples', undefined],
    ['1 2', undefined],
    ['', undefined],
  ])('expected %j -> %s', (text, want) => expect(parseExpectedNumber(text)).toBe(want));
  it('an answer gives its last number when it is not one', () => {
    expect(answerNumber('between 3 and 7, so 5')).toBe(5);
    expect(answerNumber('none')).toBeUndefined();
  });
});

describe('expected cells checked before any call', () => {
  it('a bad pattern and a non-number are problems; good ones are not', () => {
    expect(expectedProblem('regex', '([a-z]')).toMatch(/not a valid regular expression/);
    expect(expectedProblem('regex', '[a-z]+')).toBeUndefined();
    expect(expectedProblem('number', 'twelve')).toMatch(/"twelve" is not a number/);
    expect(expectedProblem('number', '1,200')).toBeUndefined();
    expect(expectedProblem('exact', '([a-z]')).toBeUndefined();
  });
});

describe('--expect', () => {
  it('takes COLUMN or FIELD=COLUMN entries', () => {
    expect(parseExpect('expect', 'label')).toEqual([{ column: 'label' }]);
    expect(parseExpect('expect', ['category=label', 'urgent=is_urgent'])).toEqual([
      { field: 'category', column: 'label' },
      { field: 'urgent', column: 'is_urgent' },
    ]);
  });
  it.each([
    [['a', 'b'], /takes one COLUMN/],
    [['a', 'f=b'], /takes one COLUMN/],
    [['f=a', 'f=b'], /names the field "f" twice/],
    [['=a'], /COLUMN or FIELD=COLUMN/],
  ])('refuses %j', (value, message) => expect(() => parseExpect('expect', value)).toThrow(message));
});
