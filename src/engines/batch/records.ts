/**
 * Rows to batch records `{recordId, modelInput}` and back. The recordId is the row's input index
 * (`R` + 10 digits: 11 alphanumeric characters, what older Bedrock docs require), so an output
 * record maps to exactly one row whatever order Bedrock writes them in, and whatever the row's own
 * id looks like. The bodies come from the same builders as on-demand calls.
 */
import { shapeInvokeBody } from '../../bedrock/answer-wire.js';
import { converseInput } from '../../bedrock/converse.js';
import { invokeBody, UnsupportedRequest } from '../../bedrock/families/index.js';
import type { PromptRequest } from '../../types.js';
import { recordKey } from './names.js';

export interface BatchRow {
  /** 0-based input index; the record's id is derived from it. */
  index: number;
  id: string;
  request: PromptRequest;
  /** Already ok in the results file: part of the input hash, never sent nor returned again. */
  done?: boolean;
}

export type InvocationType = 'Converse' | 'InvokeModel';

/** One record as it goes into an input file. */
export interface BatchRecord {
  index: number;
  model: string;
  type: InvocationType;
  /** The JSONL line, newline included. */
  line: string;
  /** The request key (names.ts recordKey): what the job's identity is made of. */
  key: string;
  bytes: number;
}

const RECORD_ID = /^R(\d{10})$/;

export function recordId(index: number): string {
  return `R${String(index).padStart(10, '0')}`;
}

/** The row index a recordId stands for, undefined for one this engine did not write. */
export function indexOfRecord(id: unknown): number | undefined {
  const match = typeof id === 'string' ? RECORD_ID.exec(id) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * A row's record, or why it cannot be one. A row that already carries a native body (a batch
 * record read from the input) passes through and needs an InvokeModel-type job.
 */
export function toRecord(row: BatchRow, api: 'converse' | 'invoke'): BatchRecord | { problem: string } {
  const { request } = row;
  const type: InvocationType =
    request.nativeBody !== undefined || api === 'invoke' ? 'InvokeModel' : 'Converse';
  let modelInput: Record<string, unknown>;
  try {
    // The answer schema's fields, as an on-demand call sends them (answer-wire.ts).
    modelInput =
      type === 'InvokeModel' ? shapeInvokeBody(invokeBody(request), request) : converseBody(request);
  } catch (error) {
    if (error instanceof UnsupportedRequest) return { problem: error.message };
    throw error;
  }
  if (type === 'Converse') {
    const problem = converseJobProblem(request);
    if (problem !== undefined) return { problem };
  }
  const line = `${JSON.stringify({ recordId: recordId(row.index), modelInput })}\n`;
  const key = recordKey(request);
  return { index: row.index, model: request.model, type, line, key, bytes: Buffer.byteLength(line) };
}

/** A Converse request body without `modelId`: the job names the model once. */
function converseBody(request: PromptRequest): Record<string, unknown> {
  const { modelId: _model, ...body } = converseInput(request);
  return body as Record<string, unknown>;
}

// Converse-type jobs do not take tool use; a row that carries
// toolUse or toolResult blocks would fail inside the job, after the upload and the wait.
function converseJobProblem(request: PromptRequest): string | undefined {
  for (const message of request.messages) {
    for (const block of message.content) {
      if ('toolUse' in block || 'toolResult' in block) {
        return 'tool use is not supported in Converse-type batch jobs; use --api invoke with a native body, or --mode ondemand';
      }
    }
  }
  return undefined;
}
