/**
 * Judges one answer against the schema: cut off by max_tokens, not JSON, not matching, or good.
 * Pure, so it is tested table-style; what to do about a bad answer is answer-checks.ts's concern.
 */
import { describeViolation, validatorOf } from '../../job/json-schema.js';
import type { AnswerPlan, CallResult } from '../../types.js';

export type AnswerCode = 'InvalidJson' | 'SchemaMismatch';

export type Verdict =
  | { kind: 'ok'; value: unknown; text: string }
  | { kind: 'bad'; code: AnswerCode; message: string; truncated: boolean };

/** The answer's JSON text: a forced tool's input when the model called it, else its text. */
export function answerText(result: CallResult): string {
  return result.toolInput ?? result.text;
}

export function judgeAnswer(plan: Pick<AnswerPlan, 'schemaText'>, result: CallResult): Verdict {
  const text = answerText(result);
  // A cut-off answer may still parse (a closed object with fields missing); it is never kept.
  if (result.stopReason === 'max_tokens') {
    return {
      kind: 'bad',
      code: 'InvalidJson',
      message: `the answer was cut off by max_tokens after ${result.usage.outputTokens} output tokens`,
      truncated: true,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const shown = text.length > 60 ? `${text.slice(0, 60)}...` : text;
    return {
      kind: 'bad',
      code: 'InvalidJson',
      message: `the answer is not JSON (${(error as Error).message}): ${JSON.stringify(shown)}`,
      truncated: false,
    };
  }
  const validate = validatorOf(plan.schemaText);
  if (!validate(value)) {
    const first = validate.errors?.[0];
    const problem = first ? describeViolation(first) : 'does not match the schema';
    const got = first ? valueAt(value, first.instancePath) : undefined;
    const named = first && (first.keyword === 'required' || first.keyword === 'additionalProperties');
    const tail = first && !named && got !== undefined ? `, got ${brief(got)}` : '';
    return { kind: 'bad', code: 'SchemaMismatch', message: `${problem}${tail}`, truncated: false };
  }
  return { kind: 'ok', value, text: JSON.stringify(value) };
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
