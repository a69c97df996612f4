/**
 * The judge's request and its verdict fields: what keys a verdict (the rubric, the answer, the
 * expected value, the judge model) and what does not (the row's id and place), the fixed schema,
 * and when a kept record already holds the verdict.
 */
import { describe, expect, it } from 'vitest';
import { failedFields, hasVerdict, verdictFields } from '../../src/judge/fields.js';
import { JUDGE_MAX_TOKENS, JUDGE_SCHEMA, judgeRow, judgeSetup } from '../../src/judge/request.js';
import type { PlannedRow } from '../../src/plan/plan.js';

const JUDGE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';

function planned(id: string, index: number, row: Record<string, unknown> = {}): PlannedRow {
  return {
    request: {
      index,
      line: index + 2,
      id,
      row: { id, ...row },
      model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ text: 'Summarize: the printer jams' }] }],
      inference: { maxTokens: 512, stopSequences: [] },
    },
    reserve: { input: 10, output: 512 },
    fingerprint: 'f'.repeat(32),
  };
}

const setup = (rubric = 'One sentence.', expect: { column: string; field?: string }[] = []) => {
  const made = judgeSetup({ judge: JUDGE, rubric, expect });
  if (!made) throw new Error('no judge');
  return made;
};

describe('the judge request', () => {
  it('asks the judge model for the fixed schema, at temperature 0, with the rubric and the prompt', () => {
    const { request, reserve } = judgeRow(setup(), planned('r1', 0), 'The printer jams.');
    expect(request.model).toBe(JUDGE);
    expect(request.answer?.schema).toEqual(JUDGE_SCHEMA);
    expect(request.inference).toEqual({ maxTokens: JUDGE_MAX_TOKENS, temperature: 0, stopSequences: [] });
    expect(request.system).toContain('Rubric:\nOne sentence.');
    const text = JSON.stringify(request.messages);
    expect(text).toContain('Be brief.');
    expect(text).toContain('Summarize: the printer jams');
    expect(text).toContain('<answer>\\nThe printer jams.\\n</answer>');
    expect(text).not.toContain('<expected>');
    expect(reserve.output).toBe(JUDGE_MAX_TOKENS);
  });

  it('passes the expected column, or each scored field as JSON', () => {
    const one = judgeRow(setup('R', [{ column: 'label' }]), planned('r1', 0, { label: ' jams ' }), 'x');
    expect(JSON.stringify(one.request.messages)).toContain('<expected>\\njams\\n</expected>');
    const fields = judgeRow(
      setup('R', [
        { field: 'category', column: 'c' },
        { field: 'urgency', column: 'u' },
      ]),
      planned('r1', 0, { c: 'billing', u: '' }),
      '{}',
    );
    expect(JSON.stringify(fields.request.messages)).toContain(
      JSON.stringify('{"category":"billing"}').slice(1, -1),
    );
  });

  const base = judgeRow(setup(), planned('r1', 0), 'The printer jams.').fingerprint;
  it.each([
    ['another rubric', judgeRow(setup('Two sentences.'), planned('r1', 0), 'The printer jams.'), false],
    ['another answer', judgeRow(setup(), planned('r1', 0), 'It jams.'), false],
    [
      'an expected value',
      judgeRow(setup('One sentence.', [{ column: 'l' }]), planned('r1', 0, { l: 'x' }), 'The printer jams.'),
      false,
    ],
    ['another id and place', judgeRow(setup(), planned('r9', 8), 'The printer jams.'), true],
  ])('%s: same fingerprint %s', (_what, row, same) => {
    expect(row.fingerprint === base).toBe(same);
  });

  it('is undefined without --judge', () => {
    expect(judgeSetup({ expect: [] })).toBeUndefined();
  });
});

describe('verdict fields', () => {
  const answer = {
    response: '{"pass":true,"score":0.75,"reason":"Names it."}',
    input_tokens: 300,
    output_tokens: 20,
    cost_usd: 0.0012,
  };
  it('come from the judge reply', () => {
    expect(verdictFields(answer, 'h')).toEqual({
      judge_pass: true,
      judge_score: 0.75,
      judge_reason: 'Names it.',
      judge_input_tokens: 300,
      judge_output_tokens: 20,
      judge_cost_usd: 0.0012,
      judge_error: '',
      judge_hash: 'h',
    });
  });
  it.each([
    [{ judge_hash: 'h', judge_pass: 'true', judge_error: '' }, 'h', true],
    [{ judge_hash: 'h', judge_pass: false, judge_error: '' }, 'h', true],
    [{ judge_hash: 'old', judge_pass: 'true', judge_error: '' }, 'h', false],
    [{ judge_hash: 'h', judge_pass: '', judge_error: '' }, 'h', false],
    [
      {
        ...failedFields(
          'ThrottlingException',
          'slow down',
          { input: null, output: null, costUsd: null },
          'h',
        ),
      },
      'h',
      false,
    ],
    [{}, 'h', false],
  ])('a record %j holds the verdict for %s: %s', (record, hash, held) => {
    expect(hasVerdict(record as Record<string, unknown>, hash)).toBe(held);
  });
});
