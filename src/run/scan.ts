/**
 * The first pass over the input: every row is parsed and turned into a request (so templates,
 * overrides and prompts are checked), ids are checked for duplicates, and the columns and row
 * count are collected. Nothing is sent until this pass has succeeded.
 */
import { RunBatchError } from '../errors.js';
import type { RequestBuilder } from '../input/request.js';
import type { RowSource } from '../input/source.js';
import { estimateRequestTokens } from '../input/tokens.js';
import type { PromptRequest } from '../types.js';

export interface InputScan {
  rowCount: number;
  columns: string[];
  /** id -> 0-based row index, to match an existing results file against the input. */
  indexById: Map<string, number>;
  /** The largest token reservation (estimated input + max_tokens) of any row. */
  largestReservation: number;
}

/** A further check on each request (e.g. that it can be sent through the chosen API); returns a problem. */
export type RequestCheck = (request: PromptRequest) => string | undefined;

export async function scanInput(
  source: RowSource,
  build: RequestBuilder,
  label: string,
  check?: RequestCheck,
  signal?: AbortSignal,
): Promise<InputScan> {
  const indexById = new Map<string, number>();
  const lines: number[] = [];
  let largestReservation = 0;
  for await (const row of source.rows()) {
    // A signal while a big input is being checked stops here: nothing has been sent yet.
    if (signal?.aborted)
      throw new RunBatchError(
        'STOPPED',
        `${String(signal.reason ?? 'interrupted')} while checking the input`,
      );
    const request = build(row, source.columns());
    const problem = check?.(request);
    if (problem !== undefined) throw new RunBatchError('INPUT', `${label}:${row.line}: ${problem}`);
    const first = indexById.get(request.id);
    if (first !== undefined) {
      throw new RunBatchError(
        'INPUT',
        `${label}:${row.line}: duplicate id "${request.id}" (first on line ${lines[first]})`,
      );
    }
    indexById.set(request.id, row.index);
    lines.push(row.line);
    const { input, output } = reservation(request);
    largestReservation = Math.max(largestReservation, input + output);
  }
  return { rowCount: lines.length, columns: [...source.columns()], indexById, largestReservation };
}

/** What Bedrock's quota reserves for a call: its input tokens and the most output it may produce. */
export function reservation(request: PromptRequest): { input: number; output: number } {
  const native = request.nativeBody;
  const nativeMax = native
    ? Number(native.max_tokens ?? native.max_gen_len ?? nativeMaxTokens(native))
    : Number.NaN;
  return {
    input: estimateRequestTokens(request),
    output: Number.isFinite(nativeMax) && nativeMax > 0 ? nativeMax : request.inference.maxTokens,
  };
}

function nativeMaxTokens(body: Record<string, unknown>): unknown {
  const config = (body.inferenceConfig ?? body.textGenerationConfig) as Record<string, unknown> | undefined;
  return config?.max_new_tokens ?? config?.maxTokens ?? config?.maxTokenCount;
}
