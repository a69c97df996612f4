/**
 * The results file as an append-only journal: each finished row is written (one write call, so a
 * crash never leaves it half-interleaved with another) the moment it completes, in completion
 * order. `finish` then rewrites it in input order into a temporary file, fsyncs it and renames it
 * over the journal, so at every instant the path holds every finished row exactly once per attempt
 * that produced it, and after a clean finish exactly one per input row, in input order.
 */
import {
  closeSync,
  fdatasync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { RunBatchError } from '../errors.js';

/** Byte range of the latest record for one input row. */
interface Slot {
  offset: number;
  length: number;
}

export class Journal {
  private readonly fd: number;
  private size: number;
  private readonly slots: Array<Slot | undefined>;
  private ordered = true;
  private lastIndex = -1;
  private syncTimer: NodeJS.Timeout | undefined;

  /**
   * @param path the results file
   * @param header written first when the file is new (the CSV header; '' for JSONL)
   * @param existing byte size and row slots already in the file (a resumed run), or none
   */
  constructor(
    readonly path: string,
    private readonly header: string,
    rowCount: number,
    existing?: { size: number; slots: Array<Slot | undefined>; ordered: boolean },
  ) {
    this.slots = existing ? existing.slots : new Array(rowCount);
    this.ordered = existing?.ordered ?? true;
    try {
      this.fd = openSync(path, existing ? 'r+' : 'w+');
    } catch (error) {
      throw new RunBatchError('OUTPUT', `${path}: cannot open for writing: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.size = existing?.size ?? 0;
    if (!existing) this.write(Buffer.from(header));
    // Page-cache writes survive a killed process; this bounds what a power cut could take.
    this.syncTimer = setInterval(() => fdatasync(this.fd, () => {}), 1000);
    this.syncTimer.unref();
  }

  /** Appends one finished row; returns once the bytes are in the file. */
  append(index: number, text: string): void {
    const bytes = Buffer.from(text);
    const offset = this.size;
    this.write(bytes);
    if (this.slots[index] !== undefined || index < this.lastIndex) this.ordered = false;
    this.lastIndex = Math.max(this.lastIndex, index);
    this.slots[index] = { offset, length: bytes.length };
  }

  private write(bytes: Buffer): void {
    let done = 0;
    try {
      while (done < bytes.length)
        done += writeSync(this.fd, bytes, done, bytes.length - done, this.size + done);
      this.size += bytes.length;
    } catch (error) {
      // Never leave half a record behind: cut the file back to the last whole one.
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the original error is the one worth reporting
      }
      throw new RunBatchError('OUTPUT', `${this.path}: write failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Rewrites the file in input order (unless it already is) and closes it. */
  finish(): void {
    this.stopTimer();
    fsyncSync(this.fd);
    if (this.ordered) {
      closeSync(this.fd);
      return;
    }
    const tmp = `${this.path}.${process.pid}.tmp`;
    const out = openSync(tmp, 'w');
    try {
      const chunks = new ChunkWriter(out);
      chunks.add(Buffer.from(this.header));
      for (const slot of this.slots) {
        if (!slot) continue;
        const buffer = Buffer.allocUnsafe(slot.length);
        readSync(this.fd, buffer, 0, slot.length, slot.offset);
        chunks.add(buffer);
      }
      chunks.flush();
      fsyncSync(out);
      closeSync(out);
      renameSync(tmp, this.path);
    } catch (error) {
      closeSync(out);
      rmSync(tmp, { force: true });
      // The journal is intact (every row, completion order); only the reordering failed.
      throw new RunBatchError(
        'OUTPUT',
        `${this.path}: could not rewrite in input order: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes without reordering (an interrupted run leaves the journal as it is). */
  close(): void {
    this.stopTimer();
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  private stopTimer(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = undefined;
  }
}

/** Coalesces many small writes into ~1 MB ones. */
class ChunkWriter {
  private parts: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly fd: number) {}
  add(buffer: Buffer): void {
    this.parts.push(buffer);
    this.bytes += buffer.length;
    if (this.bytes >= 1 << 20) this.flush();
  }
  flush(): void {
    const all = Buffer.concat(this.parts);
    let done = 0;
    while (done < all.length) done += writeSync(this.fd, all, done);
    this.parts = [];
    this.bytes = 0;
  }
}
