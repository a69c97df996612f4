import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerPolicy, BadAnswer, withAnswerChecks } from '../../src/engines/ondemand/answer-checks.js';
import { judgeAnswer } from '../../src/engines/ondemand/answer-judge.js';
import { loadSchema } from '../../src/job/json-schema.js';
import type { AnswerPlan, CallResult, PromptRequest } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-validate-'));
const path = join(dir, 'triage.json');
writeFileSync(
  path,
  JSON.stringify({
    type: 'object',
    additionalProperties: false,
    required: ['category', 'urgency'],
    properties: {
      category: { enum: ['billing', 'bug'] },
      urgency: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
    },
  }),
);
const schema = loadSchema(path, 'triage.json');
const checked = { schemaText: schema.text };

function result(text: string, stopReason = 'end_turn', toolInput?: string): CallResult {
  const usage = {
    inputTokens: 10,
    outputTokens: 7,
    totalTokens: 17,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
  return { text, stopReason, usage, ...(toolInput === undefined ? {} : { toolInput }) };
}

describe('judging one answer', () => {
  it.each([
    ['a matching answer', result('{"category":"bug","urgency":"high"}'), { kind: 'ok' }],
    [
      'a forced tool input, ignoring the text',
      result('Sure!', 'tool_use', '{"category":"billing","urgency":"low"}'),
      { kind: 'ok' },
    ],
    [
      'not JSON',
      result('The category is bug.'),
      {
        code: 'InvalidJson',
        truncated: false,
        message: /^the answer is not JSON \(.*\): "The category is bug\."$/,
      },
    ],
    [
      'cut off by max_tokens',
      result('{"category":"bu', 'max_tokens'),
      {
        code: 'InvalidJson',
        truncated: true,
        message: 'the answer was cut off by max_tokens after 7 output tokens',
      },
    ],
    [
      'cut off even though it parses',
      result('{"category":"bug","urgency":"x"}', 'max_tokens'),
      { code: 'InvalidJson', truncated: true },
    ],
    [
      'a missing required property',
      result('{"category":"bug"}'),
      { code: 'SchemaMismatch', message: '(root): missing required property "urgency"' },
    ],
    [
      'a value outside the enum',
      result('{"category":"sales","urgency":"x"}'),
      { code: 'SchemaMismatch', message: '/category: must be one of "billing", "bug", got "sales"' },
    ],
    [
      'a wrong type deep down',
      result('{"category":"bug","urgency":"x","tags":["a",3]}'),
      { code: 'SchemaMismatch', message: '/tags/1: must be string, got 3' },
    ],
    [
      'an extra property',
      result('{"category":"bug","urgency":"x","mood":"sad"}'),
      { code: 'SchemaMismatch', message: '(root): unexpected property "mood"' },
    ],
  ])('%s', (_name, given, expected) => {
    const verdict = judgeAnswer(checked, given);
    if ('kind' in expected) {
      expect(verdict.kind).toBe('ok');
      return;
    }
    expect(verdict.kind).toBe('bad');
    if (verdict.kind !== 'bad') return;
    expect(verdict.code).toBe(expected.code);
    if ('truncated' in expected) expect(verdict.truncated).toBe(expected.truncated);
    if ('message' in expected) {
      if (typeof expected.message === 'string') expect(verdict.message).toBe(expected.message);
      else expect(verdict.message).toMatch(expected.message);
    }
  });

  it('keeps the answer as compact JSON text', () => {
    const verdict = judgeAnswer(checked, result('\n{ "category": "bug",\n  "urgency": "high" }\n'));
    expect(verdict).toEqual({
      kind: 'ok',
      value: { category: 'bug', urgency: 'high' },
      text: '{"category":"bug","urgency":"high"}',
    });
  });
});

const plan = (retries: number, maxTokensLimit = 4096): AnswerPlan => ({
  wire: 'native',
  label: schema.label,
  schema: schema.schema,
  schemaText: schema.text,
  properties: schema.properties,
  tokens: 10,
  retries,
  maxTokensLimit,
});
const good = result('{"category":"bug","urgency":"high"}');
const broken = result('{"category"');
const cut = result('{"category":"bu', 'max_tokens');

describe('the retry policy for bad answers', () => {
  it('retries a broken answer json-retries times, then fails the row', () => {
    const policy = answerPolicy(plan(2), 512);
    expect(policy.decide(broken)).toMatchObject({ kind: 'retry', maxTokens: 512, code: 'InvalidJson' });
    expect(policy.decide(broken)).toMatchObject({ kind: 'retry', maxTokens: 512 });
    const last = policy.decide(broken);
    expect(last).toMatchObject({ kind: 'fail', code: 'InvalidJson' });
    expect(last.kind === 'fail' && last.message).toMatch(/\(after 2 retries\)$/);
  });

  it('with --json-retries 0 the first bad answer fails the row', () => {
    expect(answerPolicy(plan(0), 512).decide(result('{"category":"x","urgency":"y"}'))).toMatchObject({
      kind: 'fail',
      code: 'SchemaMismatch',
    });
  });

  it('doubles max_tokens after a truncation, capped at the model limit, and stops at the cap', () => {
    const policy = answerPolicy(plan(5, 1500), 512);
    expect(policy.decide(cut)).toMatchObject({ kind: 'retry', maxTokens: 1024 });
    expect(policy.decide(cut)).toMatchObject({ kind: 'retry', maxTokens: 1500 });
    const atCap = policy.decide(cut);
    expect(atCap).toMatchObject({ kind: 'fail', code: 'InvalidJson' });
    expect(atCap.kind === 'fail' && atCap.message).toMatch(/\(max_tokens 1500\)$/);
  });

  it('accepts a good answer with the JSON text as the response', () => {
    const decision = answerPolicy(plan(2), 512).decide(good);
    expect(decision.kind).toBe('accept');
    expect(decision.kind === 'accept' && decision.result.text).toBe('{"category":"bug","urgency":"high"}');
  });
});

describe('the row task with answer checks', () => {
  const request = {
    index: 0,
    line: 2,
    id: 'r1',
    row: {},
    model: 'm',
    messages: [],
    inference: { maxTokens: 100, stopSequences: [] },
    answer: plan(2),
  } as PromptRequest;
  const base = {
    reserve: { input: 1, output: 100 },
    attempt: () => Promise.reject(new Error('unused')),
    used: () => 0,
    usedOnFailure: () => 0,
    classify: () => ({ code: 'Other', message: 'm', retryable: false, throttle: false }),
  };

  it('sends the raised max_tokens on the attempt after a truncation, and classifies bad answers', async () => {
    const sent: number[] = [];
    const replies = [cut, broken, good];
    const task = withAnswerChecks(base, request, async (r) => {
      sent.push(r.inference.maxTokens);
      return replies.shift() as CallResult;
    });
    const signal = new AbortController().signal;
    const first = await task.attempt(signal).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(BadAnswer);
    const billed = {
      inputTokens: 10,
      outputTokens: 7,
      totalTokens: 17,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    };
    expect(task.classify(first)).toEqual({
      code: 'InvalidJson',
      message: 'the answer was cut off by max_tokens after 7 output tokens',
      retryable: true,
      throttle: false,
      // Generated and billed: this attempt's tokens, and the row's so far.
      usage: billed,
      paid: billed,
    });
    await expect(task.attempt(signal)).rejects.toBeInstanceOf(BadAnswer);
    // The two bad answers were billed: the accepted result's usage includes them.
    await expect(task.attempt(signal)).resolves.toMatchObject({
      text: '{"category":"bug","urgency":"high"}',
      usage: { inputTokens: 30, outputTokens: 21, totalTokens: 51 },
    });
    expect(sent).toEqual([100, 200, 200]);
    // Other failures keep the row task's own classification.
    expect(task.classify(new Error('x')).code).toBe('Other');
  });

  it('reserves the raised max_tokens for the attempt after a truncation', async () => {
    const task = withAnswerChecks(
      { ...base, reserve: { input: 10, output: 100, mostCounted: 510 } },
      request,
      async () => cut,
    );
    expect(task.reserve).toEqual({ input: 10, output: 100, mostCounted: 510 });
    await task.attempt(new AbortController().signal).catch(() => undefined);
    // Twice the output, and twice the most it may count beyond its input (output burndown).
    expect(task.reserve).toEqual({ input: 10, output: 200, mostCounted: 1010 });
  });

  it('a row that fails on bad answers carries every bad answer it paid for', async () => {
    const task = withAnswerChecks(base, request, async () => broken);
    const signal = new AbortController().signal;
    let last: unknown;
    for (let i = 0; i < 3; i++) last = await task.attempt(signal).catch((e: unknown) => e);
    const failure = task.classify(last);
    expect(failure).toMatchObject({ code: 'InvalidJson', retryable: false });
    expect(failure.usage).toMatchObject({ inputTokens: 10, outputTokens: 7 });
    expect(failure.paid).toMatchObject({ inputTokens: 30, outputTokens: 21, totalTokens: 51 });
  });

  it('leaves a task without a schema as it is', () => {
    const { answer: _none, ...plain } = request;
    expect(withAnswerChecks(base, plain, async () => good)).toBe(base);
  });
});
