/**
 * The emulator's guardrail matching rules (docs/emulator-guardrails.md), table-style: words and
 * phrases, denied topics, sensitive-information patterns and masks, content-filter strengths, and
 * the text units each policy reports (botocore `bedrock-runtime` GuardrailUsage).
 */
import { describe, expect, it } from 'vitest';
import { hasPhrase, mask, matchesTopic, PII_PATTERNS, spans } from '../../src/emulator/guardrails/detect.js';
import { evaluate } from '../../src/emulator/guardrails/evaluate.js';
import type { GuardrailDefinition } from '../../src/emulator/guardrails/policy.js';

const on = { inputEnabled: true, outputEnabled: true } as const;
const base: GuardrailDefinition = { name: 'g', blockedInputMessaging: 'in', blockedOutputsMessaging: 'out' };

describe('guardrail matching', () => {
  it.each([
    ['I like Blueberry pie', 'blueberry', true],
    ['blueberries are fine', 'blueberry', false],
    ['a  Quiet   Harbour here', 'quiet harbour', true],
    ['quietharbour', 'quiet harbour', false],
  ])('phrase in %j of %j: %s', (text, phrase, expected) => {
    expect(hasPhrase(text, phrase)).toBe(expected);
  });

  const topic = {
    name: 'Investment advice',
    definition: 'Recommendations about stocks, bonds or portfolio allocation',
    examples: ['Which shares should I buy?'],
  };
  it.each([
    ['any investment advice today?', true],
    ['which shares should i buy?', true],
    ['rebalance my portfolio with more bonds', true],
    ['my portfolio is a folder of drawings', false],
    ['a quiet harbour', false],
  ])('topic in %j: %s', (text, expected) => {
    expect(matchesTopic(text, topic)).toBe(expected);
  });

  it.each([
    ['EMAIL', 'write to ann.lee+x@example.co.uk now', ['ann.lee+x@example.co.uk']],
    ['PHONE', 'call (555) 123-4567 or +44 555 123 4567', ['(555) 123-4567', '+44 555 123 4567']],
    [
      'CREDIT_DEBIT_CARD_NUMBER',
      'card 4111 1111 1111 1111, not 4111 1111 1111 1112',
      ['4111 1111 1111 1111'],
    ],
    ['AWS_ACCESS_KEY', 'AKIAABCDEFGHIJKLMNOP and AKIAshort', ['AKIAABCDEFGHIJKLMNOP']],
  ])('%s finds %j', (type, text, expected) => {
    const pattern = PII_PATTERNS[type] ?? /$^/;
    expect(spans(text, pattern, type).map((s) => s.match)).toEqual(expected);
  });

  it('masks spans as {LABEL}, the earliest of overlapping spans winning', () => {
    const text = 'a@b.io and c@d.io';
    const found = spans(text, PII_PATTERNS.EMAIL ?? /$^/).map((s) => ({ ...s, label: 'EMAIL' }));
    expect(mask(text, found)).toBe('{EMAIL} and {EMAIL}');
    expect(
      mask('abcdef', [
        { start: 0, end: 4, match: 'abcd', label: 'X' },
        { start: 2, end: 6, match: 'cdef', label: 'Y' },
      ]),
    ).toBe('{X}ef');
  });
});

describe('guardrail evaluation', () => {
  const filters = (strength: 'LOW' | 'MEDIUM' | 'HIGH'): GuardrailDefinition => ({
    ...base,
    contentPolicy: {
      filters: [
        {
          type: 'HATE',
          inputStrength: strength,
          outputStrength: 'NONE',
          inputModalities: ['TEXT'],
          outputModalities: ['TEXT'],
          inputAction: 'BLOCK',
          outputAction: 'BLOCK',
          ...on,
        },
      ],
    },
  });
  it.each([
    ['HIGH', 'LOW', true],
    ['MEDIUM', 'LOW', false],
    ['MEDIUM', 'MEDIUM', true],
    ['LOW', 'MEDIUM', false],
    ['LOW', 'HIGH', true],
  ] as const)('a %s filter against a %s-confidence hit blocks: %s', (strength, confidence, blocked) => {
    const result = evaluate(
      filters(strength),
      'input',
      ['x'],
      [{ output: false, type: 'HATE', confidence }],
      false,
    );
    expect(result.blocked).toBe(blocked);
  });

  it('does not judge a direction whose strength is NONE or whose entry is switched off', () => {
    const result = evaluate(
      filters('HIGH'),
      'output',
      ['x'],
      [{ output: true, type: 'HATE', confidence: 'HIGH' }],
      false,
    );
    expect(result.blocked).toBe(false);
    const off: GuardrailDefinition = {
      ...base,
      wordPolicy: {
        words: [
          {
            text: 'kiwi',
            inputAction: 'BLOCK',
            outputAction: 'BLOCK',
            inputEnabled: false,
            outputEnabled: true,
          },
        ],
      },
    };
    expect(evaluate(off, 'input', ['kiwi'], [], false).blocked).toBe(false);
    expect(evaluate(off, 'output', ['kiwi'], [], false).blocked).toBe(true);
  });

  it('reports a NONE action as detected but not blocking', () => {
    const watch: GuardrailDefinition = {
      ...base,
      wordPolicy: { words: [{ text: 'kiwi', inputAction: 'NONE', outputAction: 'NONE', ...on }] },
    };
    const result = evaluate(watch, 'input', ['kiwi'], [], false);
    expect(result.blocked).toBe(false);
    expect(result.assessment.wordPolicy).toEqual({
      customWords: [{ match: 'kiwi', action: 'NONE', detected: true }],
      managedWordLists: [],
    });
  });

  it('counts one text unit per started 1,000 characters per text, for each policy evaluated', () => {
    const pii: GuardrailDefinition = {
      ...base,
      sensitiveInformationPolicy: {
        piiEntities: [
          { type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'ANONYMIZE', ...on },
        ],
      },
    };
    const result = evaluate(pii, 'input', ['a'.repeat(1000), 'b'.repeat(1001)], [], false);
    expect(result.usage).toEqual({
      topicPolicyUnits: 0,
      contentPolicyUnits: 0,
      wordPolicyUnits: 0,
      sensitiveInformationPolicyUnits: 3,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: 0,
    });
    expect(result.characters).toBe(2001);
  });

  it('lets a block win over a mask: the texts are left as they were', () => {
    const both: GuardrailDefinition = {
      ...base,
      wordPolicy: { words: [{ text: 'kiwi', inputAction: 'BLOCK', outputAction: 'BLOCK', ...on }] },
      sensitiveInformationPolicy: {
        piiEntities: [
          { type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'ANONYMIZE', ...on },
        ],
      },
    };
    const result = evaluate(both, 'input', ['kiwi to a@b.io'], [], false);
    expect([result.blocked, result.masked, result.texts]).toEqual([true, false, ['kiwi to a@b.io']]);
  });
});
