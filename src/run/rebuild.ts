/**
 * The results file as a view of the input and the answer ledger: when an existing results file no
 * longer fits the input (rows deleted from the input, input columns added or removed, --stream
 * turned on or off), its answers are first adopted into the ledger (those the ledger does not hold
 * yet: files written before the ledger, or with --no-ledger), the file is moved aside, and the run
 * writes it anew, every answered row coming from the ledger with no call. Rows whose ids are no
 * longer in the input are dropped (counted in the summary). An answer is adopted only for a row
 * that still asks what it asked then (its request_hash matches, version 1 or 2).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { RunBatchError } from '../errors.js';
import type { Format } from '../job/spec.js';
import type { LedgerEntry } from '../ledger/store.js';

export { moveAside } from '../output/aside.js';

import { restoreCell } from '../output/layout.js';
import type { RowPlan } from '../plan/plan.js';
import { RESULT_FIELDS, type ResultRecord } from '../types.js';
import type { RunLedger } from './run-ledger.js';

const NUMBERS = new Set([
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'cost_usd',
  'paid_usd',
  'latency_ms',
  'attempts',
  'first_token_ms',
]);
const ANSWER_FIELDS = new Set<string>([
  ...RESULT_FIELDS,
  'first_token_ms',
  'service_tier',
  'cache_write_1h_tokens',
]);

export interface Adopted {
  /** Answers put in the ledger now. */
  adopted: number;
  /** Distinct ids of the old file that are not in the input. */
  dropped: number;
}

/** Reads every record of a results file (any header) as result fields. */
export async function* readRecords(
  path: string,
  format: Format,
  csvSafe: boolean,
): AsyncIterable<ResultRecord> {
  if (format === 'parquet') {
    yield* parquetRecords(path);
    return;
  }
  if (format === 'jsonl') {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const text of lines) {
      if (text.trim() === '') continue;
      try {
        const {
          input: _input,
          response_json: _json,
          ...fields
        } = JSON.parse(text) as Record<string, unknown>;
        yield fields as unknown as ResultRecord;
      } catch {
        // a half-written last line: nothing to adopt
      }
    }
    return;
  }
  const parser = createReadStream(path).pipe(parse({ columns: true, relax_column_count: true, bom: true }));
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) yield fromCells(row, csvSafe);
  } catch {
    // a half-written last row: the records before it were read
  }
}

/**
 * A Parquet results file's records: its result fields (named in its run-batch metadata; a Parquet
 * file without it is refused, never read as no rows). Values read typed (parquet-values.ts).
 */
async function* parquetRecords(path: string): AsyncIterable<ResultRecord> {
  const [{ parquetFooter, parquetSource }, { META_KEY }] = await Promise.all([
    import('../input/parquet.js'),
    import('../output/parquet-meta.js'),
  ]);
  const footer = await parquetFooter(path);
  let fields: string[] | undefined;
  try {
    const meta = JSON.parse(footer.keyValues.get(META_KEY) ?? '') as { fields?: unknown };
    if (Array.isArray(meta.fields) && meta.fields.includes('status')) fields = meta.fields.map(String);
  } catch {
    // said below
  }
  if (!fields)
    throw new RunBatchError(
      'INPUT',
      `${path}: is not a run-batch results file (a Parquet file without its "${META_KEY}" metadata)`,
    );
  for await (const { data } of parquetSource(path).rows()) {
    const record: Record<string, unknown> = {};
    for (const field of fields) record[field] = data[field] ?? null;
    yield record as unknown as ResultRecord;
  }
}

function fromCells(row: Record<string, string>, csvSafe: boolean): ResultRecord {
  const record: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(row)) {
    if (!ANSWER_FIELDS.has(name)) continue;
    const cell = csvSafe ? restoreCell(raw) : raw;
    record[name] = NUMBERS.has(name) ? (cell === '' ? null : Number(cell)) : cell;
  }
  return record as unknown as ResultRecord;
}

export async function adoptAnswers(
  path: string,
  format: Format,
  csvSafe: boolean,
  plan: RowPlan,
  ledger: RunLedger,
): Promise<Adopted> {
  const strays = new Set<string>();
  const candidates: Array<{ index: number; record: ResultRecord }> = [];
  let needsV1 = false;
  for await (const record of readRecords(path, format, csvSafe)) {
    const id = String(record.id ?? '');
    const index = plan.indexById.get(id);
    if (index === undefined) {
      strays.add(id);
      continue;
    }
    if (record.status !== 'ok' || typeof record.request_hash !== 'string' || record.request_hash === '')
      continue;
    if (record.request_hash.length !== 32) needsV1 = true;
    candidates.push({ index, record });
  }
  if (needsV1) await plan.loadV1();
  const entries: LedgerEntry[] = [];
  for (const { index, record } of candidates) {
    const now = plan.fingerprintAt(index);
    const same =
      record.request_hash.length === 32
        ? record.request_hash === now
        : record.request_hash === plan.fingerprintV1At(index);
    if (!same) continue;
    const row = { fingerprint: now, request: { id: record.id } } as Parameters<RunLedger['keyOf']>[0];
    if (ledger.ledger?.has(ledger.keyOf(row))) continue;
    const entry = ledger.entryFor(row, { ...record, request_hash: now });
    entry.createdAt = record.finished_at || entry.createdAt;
    entries.push(entry);
  }
  const adopted = entries.length > 0 && ledger.ledger ? ledger.ledger.recordAll(entries) : 0;
  return { adopted, dropped: strays.size };
}
