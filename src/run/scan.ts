/**
 * The first pass over the input: every row is parsed and turned into a request (so templates,
 * overrides and prompts are checked), ids are checked for duplicates, and the columns and row
 * count are collected. Nothing is sent until this pass has succeeded.
 */
import { RunBatchError } from '../errors.js';
import type { RequestBuilder } from '../input/request.js';
import type { RowSource } from '../input/source.js';

export interface InputScan {
  rowCount: number;
  columns: string[];
  /** id -> 0-based row index, to match an existing results file against the input. */
  indexById: Map<string, number>;
}

export async function scanInput(source: RowSource, build: RequestBuilder, label: string): Promise<InputScan> {
  const indexById = new Map<string, number>();
  const lines: number[] = [];
  for await (const row of source.rows()) {
    const request = build(row, source.columns());
    const first = indexById.get(request.id);
    if (first !== undefined) {
      throw new RunBatchError(
        'INPUT',
        `${label}:${row.line}: duplicate id "${request.id}" (first on line ${lines[first]})`,
      );
    }
    indexById.set(request.id, row.index);
    lines.push(row.line);
  }
  return { rowCount: lines.length, columns: [...source.columns()], indexById };
}
