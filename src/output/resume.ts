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
  truncateSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { RunBatchError } from '../errors.js';
import type { Format } from '../job/spec.js';
import { emptySlots, type Slots } from './journal.js';

/** Hex characters of a version 2 fingerprint (plan/fingerprint.ts); version 1 had 24. */
const FINGERPRINT_HEX = 32;

export interface ExistingResults {
  /** Bytes of whole records (after any repair). */
  size: number;
  slots: Slots;
  /** Whether the records are in input order with one per row (no reordering needed). */
  ordered: boolean;
  /** 1 for rows whose latest record is `ok`. */
  alreadyOk: Uint8Array;
  ok: number;
  errors: number;
  /** Bytes of a half-written last record that were cut off. */
  repairedBytes: number;
  /** Ok records whose request changed since (a new prompt, model or setting): run again. */
  changed: number;
}

/** The most a half-written record can be; a longer unreadable tail is damage, not a crash's cut. */
const MAX_TAIL = 4 << 20;

interface Found {
  id: string;
  status: string;
  /** The fingerprint of the request the record answered; '' in files from before fingerprints. */
  hash: string;
  /** Byte offset just past the record. */
  end: number;
}

export interface ReadOptions {
  format: Format;
  /** The header this run writes (CSV), which the file's must match. */
  header: string;
  rowCount: number;
  /** The input row index of an id, undefined for an id not in the input. */
  indexOf: (id: string) => number | undefined;
  /** The fingerprint of the request the input row at an index asks now. */
  fingerprintAt: (index: number) => string;
  /**
   * Its version 1 fingerprint, for records written before version 2 (24 hex characters);
   * undefined until loaded: the read then throws NeedsV1, and the caller loads them and reads again.
   */
  fingerprintV1At?: (index: number) => string | undefined;
  /** Keep ok answers whose request changed (--keep-changed). */
  keepChanged: boolean;
  label: string;
  /** Undoes the spreadsheet-safety prefix on a cell read from a CSV. */
  restore?: (cell: string) => string;
}

export async function readExisting(path: string, options: ReadOptions): Promise<ExistingResults | undefined> {
  const { format, header, rowCount, indexOf, label } = options;
  const restore = options.restore ?? ((cell: string) => cell);
  const fileSize = statSync(path).size;
  if (fileSize === 0) return undefined;
  const state = {
    slots: emptySlots(rowCount),
    alreadyOk: new Uint8Array(rowCount),
    ok: 0,
    errors: 0,
    ordered: true,
    lastIndex: -1,
    end: 0,
    changed: 0,
  };
  const strays = new Set<string>();
  let strayMore = 0;
  const take = ({ id, status, hash, end }: Found, _line: number) => {
    const index = indexOf(id);
    if (index === undefined) {
      // Every stray id is collected, so the refusal names them all at once (or a run with the
      // answer ledger rebuilds the file without them).
      if (strays.size < MAX_STRAYS) strays.add(id);
      else strayMore++;
      state.end = end;
      state.ordered = false;
      return;
    }
    const start = state.end;
    state.end = end;
    if (state.alreadyOk[index] === 1) return; // an ok record is final; later ones cannot be better
    if (state.slots.lengths[index] !== 0 || index < state.lastIndex) state.ordered = false;
    state.lastIndex = Math.max(state.lastIndex, index);
    if (state.slots.lengths[index] !== 0) state.errors--;
    state.slots.offsets[index] = start;
    state.slots.lengths[index] = end - start;
    // A record from before fingerprints (hash '') cannot tell: its answer is kept, as it was then.
    const stale = status === 'ok' && hash !== '' && !sameRequest(hash, index, options);
    if (stale && !options.keepChanged) {
      state.changed++;
      state.errors++; // run again, like a failed row; a later record may still settle it
    } else if (status === 'ok') {
      state.alreadyOk[index] = 1;
      state.ok++;
    } else {
      state.errors++;
    }
  };
  // A file holding only the header (a valid empty results file), or part of it (a crash while the
  // file was created): start over. The bytes are the header this run writes again, so they are not
  // kept in a `.cut` file (nothing was cut that anyone paid for).
  if (
    format === 'csv' &&
    fileSize <= Buffer.byteLength(header) &&
    header.startsWith(readHead(path, fileSize))
  ) {
    truncateSync(path, 0);
    return undefined;
  }
  if (format === 'csv')
    await readCsv(
      path,
      header,
      label,
      take,
      (end) => (state.end = end),
      restore,
      () => state.end,
    );
  else await readJsonl(path, label, take);
  if (strays.size > 0) throw new NotAView(label, 'strays', [...strays], strayMore);
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
    alreadyOk: state.alreadyOk,
    ok: state.ok,
    errors: state.errors,
    repairedBytes: fileSize - size,
    changed: state.changed,
  };
}

/** The most stray ids a refusal names one by one (the rest are counted). */
const MAX_STRAYS = 10_000;

/**
 * A results file that is not a view of this input as this run writes it: rows whose ids are not
 * in the input (deleted rows), or other columns (input columns added or removed, --stream). With
 * the answer ledger the run rebuilds it (src/run/rebuild.ts); without, it is refused, naming
 * every stray id at once.
 */
export class NotAView extends RunBatchError {
  constructor(
    readonly label: string,
    readonly why: 'strays' | 'columns',
    readonly strays: string[] = [],
    readonly moreStrays = 0,
  ) {
    super(
      'OUTPUT',
      why === 'strays'
        ? `${label}: has ${strays.length + moreStrays} ${strays.length + moreStrays === 1 ? 'row whose id is' : 'rows whose ids are'} not in the input: ` +
            `${strays.map((id) => JSON.stringify(id)).join(', ')}${moreStrays > 0 ? ` and ${moreStrays} more` : ''}. ` +
            'Without the answer ledger (--no-ledger) the file cannot be rebuilt without paying again: run without --no-ledger ' +
            'to rebuild it with those rows dropped, put those rows back in the input, or use -o to write elsewhere'
        : `${label}: its columns differ from what this run writes (the input's columns or --stream changed?). ` +
            'Without the answer ledger (--no-ledger) it cannot be rebuilt without paying again: run without --no-ledger to rebuild it, ' +
            'or use --fresh to replace it, or -o to write elsewhere',
    );
  }
}

/** A record holds a version 1 fingerprint and the caller has not loaded them yet. */
export class NeedsV1 extends Error {}

function sameRequest(stored: string, index: number, options: ReadOptions): boolean {
  if (stored.length === FINGERPRINT_HEX) return stored === options.fingerprintAt(index);
  const v1 = options.fingerprintV1At?.(index);
  if (v1 === undefined) {
    if (options.fingerprintV1At) throw new NeedsV1();
    return false;
  }
  return stored === v1;
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
  takenEnd: () => number,
): Promise<void> {
  // The names as they read back from the header this run writes (quoting and --csv-safe included).
  const expected = JSON.stringify(parseSync(header)[0] ?? []);
  let line = 1;
  let pending: { found: Found; line: number } | undefined;
  const parser = parse({
    columns: (names: string[]) => {
      if (JSON.stringify(names) !== expected) {
        const older = !names.includes('request_hash') && JSON.parse(expected).includes('request_hash');
        if (!names.includes('status') && !names.includes('response') && !names.includes('finished_at'))
          throw new RunBatchError(
            'OUTPUT',
            `${label}: is not a results file (it has none of run-batch's columns: status, response, ...); ` +
              'it is left as it is: name another file with -o (or --fresh to move it aside and start a results file there)',
          );
        if (older)
          throw new RunBatchError(
            'OUTPUT',
            `${label}: was written by an older run-batch (it has no request_hash column, so changed prompts cannot be told apart); ` +
              'use -o to write to a new file (the old one stays as it is), or --fresh to replace it',
          );
        throw new NotAView(label, 'columns');
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
        found: {
          id: restore(record.id ?? ''),
          status: record.status ?? '',
          hash: restore(record.request_hash ?? ''),
          end: context.bytes,
        },
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
    if (error instanceof RunBatchError || error instanceof NeedsV1) throw error;
    // The record before the one that failed is complete. What follows is either the half record a
    // crash leaves at the end (cut off by the caller), or damage, which is never cut silently.
    if (pending) take(pending.found, pending.line);
    const start = takenEnd();
    if (damagedAfter(path, start, expected)) {
      throw new RunBatchError(
        'OUTPUT',
        `${label}:${lineAt(path, start)}: damaged (${(error as Error).message.split('\n')[0]}), with whole records after it: ` +
          'this is not what a crash leaves. Fix or delete that line and run again (the rows after it are kept), ' +
          'or use --fresh to start over',
      );
    }
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
    const hash =
      typeof (record as { request_hash?: unknown }).request_hash === 'string'
        ? (record as { request_hash: string }).request_hash
        : '';
    take({ id: String(record.id ?? ''), status: String(record.status ?? ''), hash, end }, lineNo);
  }
}

/** The first `size` bytes of a file as text (no more than the file has). */
export function readHead(path: string, size: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, read).toString('utf8');
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

/** How many complete lines after a damaged spot are tried as the start of a record. */
const TRIES = 200;

/**
 * Whether the unreadable bytes from `start` on hold whole results records after the broken spot:
 * a crash cuts only the last record, so a line after it that parses as a complete record (the same
 * columns, a status of ok or error) means the file was damaged in the middle.
 */
function damagedAfter(path: string, start: number, header: string): boolean {
  const columns = (JSON.parse(header) as string[]).length;
  const statusAt = (JSON.parse(header) as string[]).indexOf('status');
  const size = statSync(path).size;
  const length = Math.min(size - start, MAX_TAIL);
  if (size - start > MAX_TAIL) return true;
  const tail = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, length, start);
  } finally {
    closeSync(fd);
  }
  let tries = 0;
  for (
    let nl = tail.indexOf(0x0a);
    nl >= 0 && nl < tail.length - 1 && tries < TRIES;
    nl = tail.indexOf(0x0a, nl + 1)
  ) {
    tries++;
    try {
      const records = parseSync(tail.subarray(nl + 1), { to: 1, relax_column_count: true }) as string[][];
      const first = records[0];
      if (first && first.length === columns && (first[statusAt] === 'ok' || first[statusAt] === 'error'))
        return true;
    } catch {
      // not a record start: try the next line
    }
  }
  return false;
}

/** The 1-based line at a byte offset. */
function lineAt(path: string, offset: number): number {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let line = 1;
  try {
    for (let at = 0; at < offset; ) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, offset - at), at);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) if (chunk[i] === 0x0a) line++;
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return line;
}
