/**
 * The results file as an append-only journal: each finished row is written (one positioned write,
 * so a crash never leaves it half-interleaved with another) the moment it completes, in completion
 * order. `finish` then rewrites it in input order into a temporary file, fsyncs it and renames it
 * over the journal. At every instant the path holds every finished row; after `finish`, exactly one
 * record per finished input row (the latest), in input order.
 */
import {
  closeSync,
  existsSync,
  fdatasync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { writeAtomic } from '../atomic-write.js';
import { RunBatchError } from '../errors.js';
import { moveAside } from './aside.js';

/** Where each input row's latest record lies in the file (length 0: none). */
export interface Slots {
  offsets: Float64Array;
  lengths: Uint32Array;
}

export function emptySlots(rowCount: number): Slots {
  return { offsets: new Float64Array(rowCount), lengths: new Uint32Array(rowCount) };
}

export interface JournalOptions {
  /** A file already holding rows (a resumed run): its size and slots. */
  existing?: { size: number; slots: Slots; ordered: boolean };
  /**
   * Bytes set aside in `<path>.reserve` at the start and given up when the disk fills, so the rows
   * still in flight can be written after the first write fails. @default 0 (none)
   */
  reserveBytes?: number;
  /** Told once when the disk filled and the reserve was given up: stop admitting rows. */
  onDiskFull?: (message: string) => void;
  /**
   * Replace the file at `path` (--fresh), but only once the first *ok* row is written: until then
   * the old file stays as it is (error rows wait in memory); then it is moved aside
   * (`<path>.previous`, or a timestamped name when that exists: aside.ts) and `onReplaced` is told.
   */
  replace?: boolean;
  onReplaced?: (previous: string) => void;
  /** Tests pass a writer that fails. */
  writeSync?: typeof writeSync;
}

/** Out-of-order records are read back through a window this big, not one read per record. */
const WINDOW = 4 << 20;

export class Journal {
  private fd = -1;
  private size: number;
  private readonly slots: Slots;
  private ordered: boolean;
  private lastIndex = -1;
  private syncTimer: NodeJS.Timeout | undefined;

  private readonly reservePath: string;
  private reserved: boolean;
  private readonly writer: typeof writeSync;
  /** --fresh: error rows written before the first ok row, held until it comes. */
  private waiting: Array<[number, string]> = [];

  /**
   * @param path the results file
   * @param header written first when the file is new (the CSV header; '' for JSONL)
   */
  constructor(
    readonly path: string,
    private readonly header: string,
    rowCount: number,
    private readonly options: JournalOptions = {},
  ) {
    const existing = options.existing;
    this.writer = options.writeSync ?? writeSync;
    this.reservePath = `${path}.reserve`;
    this.reserved = reserve(this.reservePath, options.reserveBytes ?? 0);
    this.slots = existing?.slots ?? emptySlots(rowCount);
    // Rows already in the file count as appended: a row that fills a gap before them is out of order.
    for (let i = this.slots.lengths.length - 1; i >= 0; i--) {
      if ((this.slots.lengths[i] ?? 0) > 0) {
        this.lastIndex = i;
        break;
      }
    }
    this.ordered = existing?.ordered ?? true;
    this.size = existing?.size ?? 0;
    if (!options.replace) this.open(existing !== undefined);
  }

  private open(existing: boolean): void {
    if (!existing && this.options.replace && existsSync(this.path)) {
      const previous = moveAside(this.path);
      this.options.onReplaced?.(previous);
    }
    try {
      this.fd = openSync(this.path, existing ? 'r+' : 'w+');
    } catch (error) {
      throw new RunBatchError(
        'OUTPUT',
        `${this.path}: cannot open for writing: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (!existing) this.write(Buffer.from(this.header));
    // Page-cache writes survive a killed process; this bounds what a power cut could take.
    this.syncTimer = setInterval(() => fdatasync(this.fd, () => {}), 1000);
    this.syncTimer.unref();
  }

  /**
   * Appends one finished row; returns once the bytes are in the file. With `replace`, rows that
   * are not ok (`ok` false) wait in memory until the first ok row replaces the old file: a run that
   * only fails (a typo in -m) never pushes good answers aside.
   */
  append(index: number, text: string, ok = true): void {
    if (this.fd < 0 && this.options.replace && !ok && existsSync(this.path)) {
      this.waiting.push([index, text]);
      return;
    }
    if (this.fd < 0) {
      this.open(false);
      const waiting = this.waiting;
      this.waiting = [];
      for (const [i, t] of waiting) this.append(i, t);
    }
    const bytes = Buffer.from(text);
    const offset = this.size;
    this.write(bytes);
    if (this.slots.lengths[index] !== 0 || index < this.lastIndex) this.ordered = false;
    this.lastIndex = Math.max(this.lastIndex, index);
    this.slots.offsets[index] = offset;
    this.slots.lengths[index] = bytes.length;
  }

  /** The record written last for a row (a kept row from an earlier run included), or undefined. */
  recordAt(index: number): Buffer | undefined {
    const length = this.slots.lengths[index] ?? 0;
    if (length === 0) return undefined;
    if (this.fd < 0) this.open(true);
    const buffer = Buffer.alloc(length);
    const offset = this.slots.offsets[index] ?? 0;
    let done = 0;
    while (done < length) done += readSync(this.fd, buffer, done, length - done, offset + done);
    return buffer;
  }

  private write(bytes: Buffer): void {
    try {
      this.writeAt(bytes);
    } catch (error) {
      this.truncateBack();
      // Out of space: give up the reserve, tell the run to stop admitting rows, write this row.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOSPC' || code === 'EDQUOT') && this.reserved) {
        this.releaseReserve();
        this.options.onDiskFull?.(`the disk is full (${code}) writing ${this.path}`);
        try {
          this.writeAt(bytes);
          return;
        } catch (retry) {
          this.truncateBack();
          throw writeFailed(this.path, retry);
        }
      }
      throw writeFailed(this.path, error);
    }
  }

  private writeAt(bytes: Buffer): void {
    let done = 0;
    while (done < bytes.length)
      done += this.writer(this.fd, bytes, done, bytes.length - done, this.size + done);
    this.size += bytes.length;
  }

  /** Never leave half a record behind: cut the file back to the last whole one. */
  private truncateBack(): void {
    try {
      ftruncateSync(this.fd, this.size);
    } catch {
      // the write's own error is the one worth reporting
    }
  }

  private releaseReserve(): void {
    if (!this.reserved) return;
    this.reserved = false;
    rmSync(this.reservePath, { force: true });
  }

  /** Rewrites the file in input order (unless it already is) and closes it. */
  finish(): void {
    this.stopTimer();
    this.releaseReserve();
    // Nothing was written, or only error rows of a --fresh run that never got an ok one: the file
    // being replaced stays as it was (the errors are in the summary).
    if (this.fd < 0) return;
    try {
      // A device (-o /dev/null, a pipe) is not a file: nothing to sync, never renamed over.
      if (!fstatSync(this.fd).isFile()) return;
      fsyncSync(this.fd);
      if (!this.ordered) this.rewriteInOrder();
    } finally {
      closeSync(this.fd);
    }
  }

  private rewriteInOrder(): void {
    try {
      writeAtomic(this.path, (out) => {
        const writer = new ChunkWriter(out);
        writer.add(Buffer.from(this.header));
        const reader = new WindowReader(this.fd, this.size);
        const { offsets, lengths } = this.slots;
        for (let i = 0; i < lengths.length; i++) {
          const length = lengths[i] ?? 0;
          if (length > 0) writer.add(reader.read(offsets[i] ?? 0, length));
        }
        writer.flush();
      });
    } catch (error) {
      // The journal is intact (every row, completion order); only the reordering failed.
      throw new RunBatchError(
        'OUTPUT',
        `${this.path}: could not rewrite in input order: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Closes without reordering (an immediate stop leaves the journal as it is). */
  close(): void {
    this.stopTimer();
    this.releaseReserve();
    if (this.fd < 0) return;
    try {
      if (fstatSync(this.fd).isFile()) fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  private stopTimer(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = undefined;
  }
}

function writeFailed(path: string, error: unknown): RunBatchError {
  return new RunBatchError('OUTPUT', `${path}: write failed: ${(error as Error).message}`, { cause: error });
}

/** Sets space aside; false when there is none to set aside (the disk is already full). */
function reserve(path: string, bytes: number): boolean {
  if (bytes <= 0) return false;
  try {
    writeFileSync(path, Buffer.alloc(bytes));
    return true;
  } catch {
    rmSync(path, { force: true });
    return false;
  }
}

/**
 * Reads byte ranges through a window of the file. Records finish close to input order (a row
 * overtakes at most the rows in flight with it), so most reads hit the window. The window's buffer
 * is read into again, not allocated anew for each move: a million rows' rewrite would otherwise
 * leave a few hundred 4 MB buffers for the garbage collector, and the process's peak memory with
 * them. So a range read is valid only until the next read.
 */
class WindowReader {
  private buffer = Buffer.allocUnsafe(0);
  private window = Buffer.alloc(0);
  private start = 0;
  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  read(offset: number, length: number): Buffer {
    if (offset < this.start || offset + length > this.start + this.window.length) {
      const size = Math.min(Math.max(WINDOW, length), this.size - offset);
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(WINDOW, length));
      let done = 0;
      while (done < size) done += readSync(this.fd, this.buffer, done, size - done, offset + done);
      this.window = this.buffer.subarray(0, size);
      this.start = offset;
    }
    return this.window.subarray(offset - this.start, offset - this.start + length);
  }
}

/** Coalesces many small writes into ~1 MB ones, copied into one buffer it keeps. */
class ChunkWriter {
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private bytes = 0;
  constructor(private readonly fd: number) {}
  add(bytes: Buffer): void {
    if (this.bytes + bytes.length > this.buffer.length) this.flush();
    if (bytes.length >= this.buffer.length) writeAll(this.fd, bytes);
    else this.bytes += bytes.copy(this.buffer, this.bytes);
  }
  flush(): void {
    writeAll(this.fd, this.buffer.subarray(0, this.bytes));
    this.bytes = 0;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done);
}
