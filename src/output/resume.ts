/**
 * Reads an existing results file so a run can pick up where an earlier one stopped: which rows are
 * already `ok` (kept, not sent again), where each row's latest record lies (so the finished file
 * can be put in input order), and whether a crash left half a record at the end (cut off here,
 * before anything is appended, so it never propagates).
 */
import {
  appendFileSync,
  closeSync,
  createReadStream,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  statSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { RunBatchError } from '../errors.js';
import type { Format } from '../job/spec.js';
import { emptySlots, type Slots } from './journal.js';

export interface ExistingResults {
  /** Bytes of whole records (after any repair). */
  size: number;
  slots: Slots;
  /** Whether the records are in input order with one per row (no reordering needed). */
  ordered: boolean;
  /** 1 for rows whose latest record is `ok`. */
  done: Uint8Array;
  ok: number;
  errors: number;
  /** Bytes of a half-written last record that were cut off. */
  repairedBytes: number;
}

/** The most a half-written record can be; a longer unreadable tail is damage, not a crash's cut. */
const MAX_TAIL = 4 << 20;

interface Found {
  id: string;
  status: string;
  /** Byte offset just past the record. */
  end: number;
}

/**
 * @param header the header this run writes (CSV), which the file's must match
 * @param indexOf the input row index of an id, undefined for an id not in the input
 * @param restore undoes the spreadsheet-safety prefix on an id cell read from a CSV
 */
export async function readExisting(
  path: string,
  format: Format,
  header: string,
  rowCount: number,
  indexOf: (id: string) => number | undefined,
  label = path,
  restore: (cell: string) => string = (cell) => cell,
): Promise<ExistingResults | undefined> {
  const fileSize = statSync(path).size;
  if (fileSize === 0) return undefined;
  const state = {
    slots: emptySlots(rowCount),
    done: new Uint8Array(rowCount),
    ok: 0,
    errors: 0,
    ordered: true,
    lastIndex: -1,
    end: 0,
  };
  const take = ({ id, status, end }: Found, line: number) => {
    const index = indexOf(id);
    if (index === undefined) {
      throw new RunBatchError(
        'OUTPUT',
        `${label}:${line}: has a row with id "${id}", which is not in the input: it was written for another input. ` +
          'Use --fresh to replace it, or -o to write elsewhere',
      );
    }
    const start = state.end;
    state.end = end;
    if (state.done[index] === 1) return; // an ok record is final; later ones cannot be better
    if (state.slots.lengths[index] !== 0 || index < state.lastIndex) state.ordered = false;
    state.lastIndex = Math.max(state.lastIndex, index);
    if (state.slots.lengths[index] !== 0) state.errors--;
    state.slots.offsets[index] = start;
    state.slots.lengths[index] = end - start;
    if (status === 'ok') {
      state.done[index] = 1;
      state.ok++;
    } else {
      state.errors++;
    }
  };
  // A crash while the file was created can leave part of the header: start over then.
  if (
    format === 'csv' &&
    fileSize <= Buffer.byteLength(header) &&
    header.startsWith(readHead(path, fileSize))
  ) {
    truncate(path, 0, label);
    return undefined;
  }
  if (format === 'csv') await readCsv(path, header, label, take, (end) => (state.end = end), restore);
  else await readJsonl(path, label, take);
  const size = state.end;
  if (size < fileSize) {
    // Only the last record can be half-written; anything bigger than a record is damage to report.
    if (fileSize - size > MAX_TAIL) {
      throw new RunBatchError(
        'OUTPUT',
        `${label}: cannot be read as results past byte ${size} (${fileSize - size} bytes); fix it, or use --fresh to replace it`,
      );
    }
    truncate(path, size, label);
  }
  return {
    size,
    slots: state.slots,
    ordered: state.ordered,
    done: state.done,
    ok: state.ok,
    errors: state.errors,
    repairedBytes: fileSize - size,
  };
}

/** Cuts off a half-written last record, keeping the bytes in `<path>.cut`: nothing is deleted. */
function truncate(path: string, size: number, label: string): void {
  const fd = openSync(path, 'r+');
  try {
    const tail = Buffer.alloc(fstatSync(fd).size - size);
    readSync(fd, tail, 0, tail.length, size);
    if (tail.length > 0) appendFileSync(`${path}.cut`, tail);
    ftruncateSync(fd, size);
  } catch (error) {
    throw new RunBatchError(
      'OUTPUT',
      `${label}: cannot repair the half-written last row: ${(error as Error).message}`,
    );
  } finally {
    closeSync(fd);
  }
}

async function readCsv(
  path: string,
  header: string,
  label: string,
  take: (found: Found, line: number) => void,
  headerEnd: (end: number) => void,
  restore: (cell: string) => string,
): Promise<void> {
  // The names as they read back from the header this run writes (quoting and --csv-safe included).
  const expected = JSON.stringify(parseSync(header)[0] ?? []);
  let line = 1;
  let pending: { found: Found; line: number } | undefined;
  const parser = parse({
    columns: (names: string[]) => {
      if (JSON.stringify(names) !== expected) {
        throw new RunBatchError(
          'OUTPUT',
          `${label}: its columns differ from what this run writes (the input's columns or --stream changed?); ` +
            'use --fresh to replace it, or -o to write elsewhere',
        );
      }
      headerEnd(Buffer.byteLength(header));
      return names;
    },
    relax_column_count: false,
    on_record: (record: Record<string, string>, context: { bytes: number }) => {
      // A record is taken once the next one starts: the last may be half-written.
      if (pending) take(pending.found, pending.line);
      line++;
      pending = {
        found: { id: restore(record.id ?? ''), status: record.status ?? '', end: context.bytes },
        line,
      };
      return null;
    },
  });
  createReadStream(path)
    .on('error', (error) => parser.destroy(error))
    .pipe(parser);
  try {
    for await (const _ of parser) {
      // records are handled in on_record, synchronously with the parse
    }
  } catch (error) {
    if (error instanceof RunBatchError) throw error;
    // Records are written whole, so only the last can be broken: the one before it is complete.
    if (pending) take(pending.found, pending.line);
    return;
  }
  if (pending && (await endsWithNewline(path))) take(pending.found, pending.line);
}

async function readJsonl(
  path: string,
  label: string,
  take: (found: Found, line: number) => void,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  const fileSize = statSync(path).size;
  let offset = 0;
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    const end = offset + Buffer.byteLength(text) + 1;
    const whole = end <= fileSize;
    offset = end;
    if (!whole) break; // the last line has no newline: a crash cut it
    if (text.trim() === '') continue;
    let record: { id?: unknown; status?: unknown };
    try {
      record = JSON.parse(text) as { id?: unknown; status?: unknown };
    } catch {
      throw new RunBatchError(
        'OUTPUT',
        `${label}:${lineNo}: is not a results record (not JSON); use --fresh to replace the file`,
      );
    }
    take({ id: String(record.id ?? ''), status: String(record.status ?? ''), end }, lineNo);
  }
}

function readHead(path: string, size: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size);
    readSync(fd, buffer, 0, size, 0);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

async function endsWithNewline(path: string): Promise<boolean> {
  const size = statSync(path).size;
  if (size === 0) return false;
  for await (const chunk of createReadStream(path, { start: size - 1 })) return (chunk as Buffer)[0] === 0x0a;
  return false;
}
