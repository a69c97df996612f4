/** Streams a JSONL file: one JSON object per line, blank lines ignored. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RunBatchError } from '../errors.js';
import { type InputRow, type RowSource, readError } from './row.js';

export function jsonlSource(path: string, label = path): RowSource {
  const columns: string[] = [];
  const seen = new Set<string>();
  return {
    columns: () => columns,
    async *rows(): AsyncIterable<InputRow> {
      const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
      let lineNo = 0;
      let index = 0;
      try {
        for await (const raw of lines) {
          lineNo++;
          const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
          if (text.trim() === '') continue;
          const data = parseLine(text, label, lineNo);
          for (const key of Object.keys(data)) {
            if (!seen.has(key)) {
              seen.add(key);
              columns.push(key);
            }
          }
          yield { index: index++, line: lineNo, data };
        }
      } catch (error) {
        throw readError(label, error);
      }
    },
  };
}

function parseLine(text: string, label: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunBatchError('INPUT', `${label}:${line}: not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new RunBatchError('INPUT', `${label}:${line}: expected a JSON object, got ${kind}`);
  }
  return value as Record<string, unknown>;
}
