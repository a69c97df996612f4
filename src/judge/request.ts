/**
 * The judge's request for one answer: a fixed instruction and the rubric as the system prompt, the
 * row's prompt, the answer and the expected value (with --expect) as the message, and a fixed
 * answer schema {pass, score, reason} asked for through structured output as any --json-schema
 * row is (native where the model has it, else one forced tool). Temperature 0 and a fixed
 * max_tokens, so the same answer under the same rubric is the same request: its fingerprint keys
 * the verdict in the answer ledger exactly as a row's keys its answer.
 */
import { RunBatchError } from '../errors.js';
import { estimateTokens } from '../input/tokens.js';
import { validatorOf } from '../job/json-schema.js';
import type { ExpectEntry, JobSpec } from '../job/spec.js';
import { chooseWire, outputLimit } from '../plan/answer-wire-choice.js';
import { fingerprint } from '../plan/fingerprint.js';
import type { PlannedRow } from '../plan/plan.js';
import { reservation } from '../plan/reservation.js';
import type { AnswerPlan, PromptRequest } from '../types.js';

export const JUDGE_SCHEMA = {
  type: 'object',
  properties: {
    pass: { type: 'boolean', description: 'Whether the answer meets the rubric' },
    score: { type: 'number', minimum: 0, maximum: 1, description: 'How well it meets it, 0 to 1' },
    reason: { type: 'string', description: 'Why, in one or two sentences' },
  },
  required: ['pass', 'score', 'reason'],
  additionalProperties: false,
} as const;

/** Room for a short reason; a verdict cut off here is retried with twice as much (answer-checks.ts). */
export const JUDGE_MAX_TOKENS = 1024;

const INSTRUCTION =
  'You grade an answer another model gave to a prompt. Judge it only against the rubric below' +
  ' (and the expected answer, when one is given). Give pass (whether it meets the rubric), score' +
  ' (from 0 to 1: how well it meets it) and reason (one or two sentences).';

export interface JudgeSetup {
  model: string;
  rubric: string;
  plan: AnswerPlan;
  expect: readonly ExpectEntry[];
}

/** The judge as the spec asks for it; a model that cannot give structured output is a usage error. */
export function judgeSetup(spec: Pick<JobSpec, 'judge' | 'rubric' | 'expect'>): JudgeSetup | undefined {
  if (spec.judge === undefined || spec.rubric === undefined) return undefined;
  const text = JSON.stringify(JUDGE_SCHEMA);
  const schema = JSON.parse(text) as Record<string, unknown>;
  const properties = Object.keys(JUDGE_SCHEMA.properties);
  const label = 'the judge schema';
  const decision = chooseWire(spec.judge, 'converse', 'auto', {
    label,
    schema,
    text,
    properties,
    validate: validatorOf(text),
  });
  if ('problem' in decision)
    throw new RunBatchError(
      'USAGE',
      `--judge ${spec.judge}: ${decision.problem.replace(/^--json-(mode \w+|schema): /, '')}`,
    );
  const plan: AnswerPlan = {
    wire: decision.wire,
    label,
    schema,
    schemaText: text,
    properties,
    tokens: estimateTokens(text),
    retries: 2,
    maxTokensLimit: outputLimit(spec.judge),
  };
  return { model: spec.judge, rubric: spec.rubric, plan, expect: spec.expect ?? [] };
}

/** The judge's planned call for one answer (the answer as written: for --json-schema, its JSON). */
export function judgeRow(setup: JudgeSetup, row: PlannedRow, answer: string): PlannedRow {
  const asked = row.request;
  const parts = [`<prompt>\n${promptText(asked)}\n</prompt>`, `<answer>\n${answer}\n</answer>`];
  const expected = expectedText(setup.expect, asked.row);
  if (expected !== '') parts.push(`<expected>\n${expected}\n</expected>`);
  const request: PromptRequest = {
    index: asked.index,
    line: asked.line,
    id: asked.id,
    row: asked.row,
    model: setup.model,
    system: `${INSTRUCTION}\n\nRubric:\n${setup.rubric}`,
    messages: [{ role: 'user', content: [{ text: parts.join('\n\n') }] }],
    inference: { maxTokens: JUDGE_MAX_TOKENS, temperature: 0, stopSequences: [] },
    answer: setup.plan,
  };
  return { request, reserve: reservation(request), fingerprint: fingerprint(request) };
}

/** What the row asked: its system prompt and its messages' text (attachments are not passed on). */
function promptText(request: PromptRequest): string {
  const texts: string[] = [];
  if (request.system) texts.push(request.system);
  if (request.nativeBody) texts.push(JSON.stringify(request.nativeBody));
  for (const message of request.messages)
    for (const block of message.content) if (typeof block.text === 'string') texts.push(block.text);
  return texts.join('\n\n');
}

/** The expected value: the --expect column's cell, or each field's as a JSON object. */
function expectedText(expect: readonly ExpectEntry[], row: Record<string, unknown>): string {
  const cell = (column: string) => {
    const value = row[column];
    return value === undefined || value === null
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  };
  if (expect.length === 0) return '';
  if (expect[0]?.field === undefined) return cell(expect[0]?.column ?? '').trim();
  const fields: Record<string, string> = {};
  for (const { field = '', column } of expect)
    if (cell(column).trim() !== '') fields[field] = cell(column).trim();
  return Object.keys(fields).length === 0 ? '' : JSON.stringify(fields);
}
