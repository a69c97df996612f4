/**
 * A Parquet results file as the run's journal again, so a run picks it up the way it picks up a
 * JSONL results file (resume.ts: rows already ok are kept, not paid again; the answer ledger's
 * rebuild reads it too). A Parquet file is written whole at the end (parquet-write.ts), so while a
 * run goes its rows live in the journal, `<output>.journal`, a JSONL results file; after a finished
 * run the journal is removed and the Parquet file is the only copy. The journal is made from it
 * through a temporary file and a rename: a crash while restoring never leaves half a journal,
 * which would read as rows never answered.
 */
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { commitTemp, tempPathFor } from '../atomic-write.js';
import { RunBatchError } from '../errors.js';
import type { ResultRecord } from '../types.js';
import type { Layout } from './layout.js';
import { recordText } from './layout.js';
import { META_KEY, type ParquetMeta } from './parquet-write.js';

/** Where a Parquet results file's rows are journaled while a run goes. No .jsonl extension, so a glob of results files never picks it. */
export function journalPathFor(output: string): string {
  return `${output}.journal`;
}

export interface ParquetReading {
  keyValues: ReadonlyMap<string, string>;
  rows: AsyncIterable<{ data: Record<string, unknown> }>;
}

/**
 * Writes the journal from the Parquet results file at `output` when there is no journal (a run
 * that finished, or never started); a journal already there is the newer (a run stopped before
 * its end) and is used as it is.
 */
export async function restoreJournal(
  output: string,
  label: string,
  read: () => Promise<ParquetReading>,
): Promise<void> {
  const journal = journalPathFor(output);
  if (existsSync(journal) || !existsSync(output)) return;
  const { keyValues, rows } = await read();
  const meta = parseMeta(keyValues.get(META_KEY), label);
  const layout: Layout = {
    format: 'jsonl',
    fields: meta.fields,
    inputColumns: [],
    sourceColumns: [],
    csvSafe: false,
    ...(meta.json.length > 0 ? { jsonProperties: meta.json } : {}),
  };
  const temp = tempPathFor(journal);
  const out = createWriteStream(temp);
  try {
    for await (const { data } of rows) {
      const record: Record<string, unknown> = {};
      for (const field of meta.fields) record[field] = data[field] ?? null;
      const input: Record<string, unknown> = {};
      for (const [header, source, json] of meta.input)
        input[source] = json ? parse(data[header]) : data[header];
      const text = recordText(layout, record as unknown as ResultRecord, input);
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    commitTemp(temp, journal);
  } catch (error) {
    out.destroy();
    rmSync(temp, { force: true });
    throw error;
  }
}

function parseMeta(text: string | undefined, label: string): ParquetMeta {
  try {
    const meta = JSON.parse(text ?? '') as ParquetMeta;
    if (meta.version === 1 && Array.isArray(meta.fields) && meta.fields.includes('status')) return meta;
  } catch {
    // not ours: said below
  }
  throw new RunBatchError(
    'OUTPUT',
    `${label}: is not a run-batch results file (a Parquet file without its "${META_KEY}" metadata); ` +
      'it is left as it is: name another file with -o (or --fresh to move it aside and start a results file there)',
  );
}

function parse(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
