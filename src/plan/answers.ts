/**
 * The plan-pass side of `--json-schema` and `--attach`: each built request gets its answer plan
 * (which wire, decided once per model) and its checked attachments. Runs inside the request
 * builder, so `run` and `estimate` check, price and reserve a row the same way, and every problem
 * is an input error before anything is sent.
 */
import { dirname } from 'node:path';
import { familyName, nativeAttachmentProblem } from '../bedrock/families/index.js';
import { RunBatchError } from '../errors.js';
import { attachmentsOf } from '../input/attachments.js';
import type { RequestBuilder } from '../input/request.js';
import type { InputRow } from '../input/row.js';
import { estimateTokens } from '../input/tokens.js';
import type { JobSpec } from '../job/spec.js';
import type { AnswerPlan, PromptRequest } from '../types.js';
import { chooseWire, outputLimit } from './answer-wire-choice.js';

export interface RowExtras {
  label: string;
  api: JobSpec['api'];
  /** Directory attachment paths are relative to: the input file's. */
  baseDir: string;
  /** `--attach-root`, when given: local attachments must be under it instead of baseDir. */
  root?: string;
  jobModel: string;
  format: JobSpec['inputFormat'];
  answer?: { schema: NonNullable<JobSpec['jsonSchema']>; mode: JobSpec['jsonMode']; retries: number };
  attach: string[];
  /** `s3://` objects' ETags (AttachContext.etagOf). */
  etagOf?: (uri: string) => string | undefined;
}

/** The request builder with the extras added to every request it builds. */
export function extendBuilder(
  build: RequestBuilder,
  spec: JobSpec,
  label: string,
  etagOf?: (uri: string) => string | undefined,
): RequestBuilder {
  const extras = rowExtras(spec, label, etagOf);
  if (extras === undefined) return build;
  const extend = requestExtender(extras);
  return (row, columns) => extend(build(row, columns), row, columns);
}

/** What the builder needs from the spec; undefined when the job uses neither feature. */
export function rowExtras(
  spec: JobSpec,
  label: string,
  etagOf?: (uri: string) => string | undefined,
): RowExtras | undefined {
  if (spec.jsonSchema === undefined && spec.attach.length === 0) return undefined;
  return {
    label,
    api: spec.api,
    baseDir: dirname(spec.input),
    ...(spec.attachRoot === undefined ? {} : { root: spec.attachRoot }),
    jobModel: spec.model,
    format: spec.inputFormat,
    attach: spec.attach,
    ...(etagOf ? { etagOf } : {}),
    ...(spec.jsonSchema === undefined
      ? {}
      : { answer: { schema: spec.jsonSchema, mode: spec.jsonMode, retries: spec.jsonRetries } }),
  };
}

export type Extend = (request: PromptRequest, row: InputRow, columns: readonly string[]) => PromptRequest;

export function requestExtender(extras: RowExtras | undefined): Extend {
  if (extras === undefined) return (request) => request;
  const plans = new Map<string, AnswerPlan>();
  let headerChecked = false;
  return (request, row, columns) => {
    // A batch record's own body is sent as it is: nothing is added to it.
    if (request.nativeBody !== undefined) return request;
    const at = `${extras.label}:${row.line}`;
    // A CSV header is the same for every row; a JSONL row without the field simply has no files.
    if (!headerChecked && extras.format === 'csv') {
      const missing = extras.attach.find((c) => !columns.includes(c));
      if (missing !== undefined)
        throw new RunBatchError(
          'INPUT',
          `${extras.label}:1: no "${missing}" column for --attach; the columns are ${columns.join(', ')}`,
        );
      headerChecked = true;
    }
    if (extras.answer) request.answer = planFor(request.model, extras, plans, at);
    if (extras.attach.length > 0) {
      const attachments = attachmentsOf(row.data, row.line, {
        columns: extras.attach,
        baseDir: extras.baseDir,
        ...(extras.root === undefined ? {} : { root: extras.root }),
        label: extras.label,
        ...(extras.etagOf ? { etagOf: extras.etagOf } : {}),
      });
      if (attachments.length > 0) {
        const problem =
          extras.api === 'invoke'
            ? nativeAttachmentProblem(familyName(request.model), attachments)
            : undefined;
        if (problem !== undefined) throw new RunBatchError('INPUT', `${at}: ${problem}`);
        request.attachments = attachments;
      }
    }
    return request;
  };
}

function planFor(model: string, extras: RowExtras, plans: Map<string, AnswerPlan>, at: string): AnswerPlan {
  const known = plans.get(model);
  if (known) return known;
  const answer = extras.answer as NonNullable<RowExtras['answer']>;
  const decision = chooseWire(model, extras.api, answer.mode, answer.schema);
  if ('problem' in decision) {
    // The job's own model is a usage problem; a row's model column names the row.
    if (model === extras.jobModel) throw new RunBatchError('USAGE', decision.problem);
    throw new RunBatchError('INPUT', `${at}: ${decision.problem}`);
  }
  const { schema } = answer;
  const plan: AnswerPlan = {
    wire: decision.wire,
    label: schema.label,
    schema: schema.schema,
    schemaText: schema.text,
    properties: schema.properties,
    // The schema travels with every request: its text counts like any other input.
    tokens: estimateTokens(schema.text),
    retries: answer.retries,
    maxTokensLimit: outputLimit(model),
  };
  plans.set(model, plan);
  return plan;
}
