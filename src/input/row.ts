/** What the readers produce: rows as read, a source of fresh passes, and read errors as input errors. */
import { RunBatchError } from '../errors.js';

/** A row as read from the input file, before it becomes a request. */
export interface InputRow {
  /** 0-based position among the data rows. */
  index: number;
  /** 1-based line where the row starts. */
  line: number;
  data: Record<string, unknown>;
}

export interface RowSource {
  /** The header for CSV; for JSONL, the keys in order of first appearance among the rows read so far. */
  columns(): string[];
  /** A fresh pass over the file each time it is called. */
  rows(): AsyncIterable<InputRow>;
}

export function readError(label: string, error: unknown): RunBatchError {
  if (error instanceof RunBatchError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  return new RunBatchError('INPUT', `${label}: cannot read: ${reason}`, { cause: error });
}
