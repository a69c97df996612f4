/**
 * A row against its model's limits (src/plan/limits.ts): max_tokens over the output limit, from the
 * flag, a column or a batch record's body; input over the context window, counted exactly or
 * estimated (refused past WINDOW_MARGIN times the window, a warning between).
 */
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/job/spec.js';
import {
  contextCheck,
  contextProblem,
  maxTokensFlagProblem,
  outputLimitProblem,
  WINDOW_MARGIN,
} from '../../src/plan/limits.js';
import type { PromptRequest } from '../../src/types.js';

const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const LLAMA3 = 'meta.llama3-8b-instruct-v1:0'; // 2048 out, 8192 window

function request(model: string, text: string, more: Partial<PromptRequest> = {}): PromptRequest {
  return {
    index: 0,
    line: 7,
    id: 'r1',
    row: {},
    model,
    messages: [{ role: 'user', content: [{ text }] }],
    inference: { maxTokens: 100, stopSequences: [] },
    ...more,
  };
}

describe('the output limit', () => {
  it.each([
    [HAIKU, 64_000, undefined],
    [
      HAIKU,
      64_001,
      'over the output limit of model "global.anthropic.claude-haiku-4-5-20251001-v1:0" (64000 tokens)',
    ],
    [LLAMA3, 2048, undefined],
    [LLAMA3, 4096, '(2048 tokens)'],
    ['acme.unknown-v1', 10_000_000, undefined], // unknown models: Bedrock decides
  ])('--max-tokens on %s: %i -> %s', (model, maxTokens, problem) => {
    const found = maxTokensFlagProblem({ model, maxTokens } as JobSpec);
    if (problem === undefined) expect(found).toBeUndefined();
    else {
      expect(found?.code).toBe('USAGE');
      expect(found?.message).toContain(`--max-tokens ${maxTokens} is over`);
      expect(found?.message).toContain(problem);
    }
  });

  it('names where a row got its max_tokens: the flag, its column, or its record body', () => {
    const flag = request(LLAMA3, 'hi', { inference: { maxTokens: 3000, stopSequences: [] } });
    expect(outputLimitProblem(flag)).toBe(
      'max_tokens 3000 (--max-tokens) is over the output limit of model "meta.llama3-8b-instruct-v1:0" (2048 tokens); use 2048 or less',
    );
    const column = { ...flag, row: { max_tokens: '3000' } };
    expect(outputLimitProblem(column)).toContain('(the max_tokens column)');
    const record = request(LLAMA3, 'hi', { nativeBody: { prompt: 'hi', max_gen_len: 4000 } });
    expect(outputLimitProblem(record)).toContain("max_tokens 4000 (the record's modelInput)");
    expect(outputLimitProblem(request(LLAMA3, 'hi', { nativeBody: { prompt: 'hi' } }))).toBeUndefined();
    expect(outputLimitProblem(request(LLAMA3, 'hi'))).toBeUndefined();
  });
});

describe('the context window', () => {
  const chars = (tokens: number) => 'x'.repeat(tokens * 4);

  it('refuses an exact count over the window, names the row', () => {
    expect(contextProblem(request(LLAMA3, ''), 8192)).toBeUndefined();
    expect(contextProblem(request(LLAMA3, ''), 8193)).toBe(
      'row "r1" has 8193 input tokens, over the context window of model "meta.llama3-8b-instruct-v1:0" (8192 tokens); shorten it or use a model with a larger window',
    );
    expect(contextProblem(request('acme.unknown-v1', ''), 10 ** 9)).toBeUndefined();
  });

  it(`on the estimate: fine up to the window, a warning up to ${WINDOW_MARGIN}x, refused past it`, () => {
    const warnings: string[] = [];
    const check = contextCheck(false, (m) => warnings.push(m));
    expect(check(request(LLAMA3, chars(8192)))).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(check(request(LLAMA3, chars(8193)))).toBeUndefined();
    expect(check(request(LLAMA3, chars(8192 * WINDOW_MARGIN)))).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^line 7: row "r1" is about 8193 input tokens .* \(8192 tokens\); it may still fit/,
    );
    expect(check(request(LLAMA3, chars(8192 * WINDOW_MARGIN + 1)))).toMatch(
      /^row "r1" is about 16385 input tokens .*over the context window .* by more than 2 times/,
    );
    expect(warnings).toHaveLength(2);
  });

  it('names the first five rows it warns of, then says once that there are more', () => {
    const warnings: string[] = [];
    const check = contextCheck(false, (m) => warnings.push(m));
    for (let i = 0; i < 9; i++) check(request(LLAMA3, chars(9000), { id: `r${i}` }));
    expect(warnings).toHaveLength(6);
    expect(warnings[4]).toContain('row "r4"');
    expect(warnings[5]).toBe('more rows are estimated over their context window (not listed)');
  });

  it('leaves the window to the exact count when one is coming (--count-tokens api)', () => {
    const warnings: string[] = [];
    const check = contextCheck(true, (m) => warnings.push(m));
    expect(check(request(LLAMA3, chars(8192 * 10)))).toBeUndefined();
    expect(warnings).toEqual([]);
  });
});
