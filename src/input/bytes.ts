/**
 * The bytes of an input file, checked before a reader parses them: a file that is not text
 * (gzip, zip, UTF-16) is refused by its first bytes, and bytes that are not UTF-8 (a Latin-1 or
 * Windows-1252 export) stop the read at the line that holds them. Without this, Node decodes them
 * as U+FFFD and the model gets mangled prompts with no word said; a gzip file reads as 0 rows.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { RunBatchError } from '../errors.js';

const MAGIC: ReadonlyArray<[number[], string]> = [
  [[0x1f, 0x8b], 'is gzip-compressed, not text: decompress it first (gunzip -k FILE)'],
  [[0x50, 0x4b, 0x03, 0x04], 'is a zip archive (an .xlsx workbook?), not text: export it as CSV (UTF-8)'],
  [[0xff, 0xfe], 'is UTF-16 text: save it as UTF-8 (Excel: "CSV UTF-8"; or iconv -f utf-16 -t utf-8)'],
  [[0xfe, 0xff], 'is UTF-16 text: save it as UTF-8 (Excel: "CSV UTF-8"; or iconv -f utf-16 -t utf-8)'],
];

/** The file's bytes as a stream that fails with `file:line: ...` on the first byte that is not UTF-8. */
export function checkedBytes(path: string, label: string): NodeJS.ReadableStream {
  const guard = new Utf8Guard(label);
  createReadStream(path)
    .on('error', (error) => guard.destroy(error))
    .pipe(guard);
  return guard;
}

/** A whole file's bytes, checked as `checkedBytes` checks them; throws the same errors. */
export function checkedWhole(bytes: Buffer, label: string): Buffer {
  const check = new Utf8Check(label);
  const whole = check.chunk(bytes);
  if (whole instanceof RunBatchError) throw whole;
  const problem = check.end(bytes.subarray(whole));
  if (problem) throw problem;
  return bytes;
}

class Utf8Guard extends Transform {
  private readonly check: Utf8Check;
  /** Bytes of a character cut by the chunk boundary, kept for the next chunk. */
  private carry: Buffer = Buffer.alloc(0);

  constructor(label: string) {
    super();
    this.check = new Utf8Check(label);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = this.check.chunk(bytes);
    if (end instanceof RunBatchError) {
      done(end);
      return;
    }
    this.carry = bytes.subarray(end);
    done(null, bytes.subarray(0, end));
  }

  override _flush(done: TransformCallback): void {
    done(this.check.end(this.carry) ?? null);
  }
}

/** The checks, chunk by chunk, counting lines for the message. */
class Utf8Check {
  private line = 1;
  private first = true;

  constructor(private readonly label: string) {}

  /** How many bytes are whole UTF-8 characters (the rest may finish in the next chunk), or the error. */
  chunk(bytes: Buffer): number | RunBatchError {
    if (this.first) {
      this.first = false;
      const magic = MAGIC.find(([start]) => start.every((b, i) => bytes[i] === b));
      if (magic) return new RunBatchError('INPUT', `${this.label}: ${magic[1]}`);
    }
    return this.validate(bytes);
  }

  /** At the end of the file: a character cut short there is not UTF-8. */
  end(carry: Buffer): RunBatchError | undefined {
    return carry.length > 0 ? this.invalid(carry[0] ?? 0) : undefined;
  }

  private validate(bytes: Buffer): number | RunBatchError {
    // The common case, natively: all of it UTF-8 but a character the chunk boundary cut. Only the
    // newlines are counted then (for a later chunk's message); a chunk that fails is walked below.
    const whole = wholeCharacters(bytes);
    if (isUtf8(bytes.subarray(0, whole))) {
      for (let at = bytes.indexOf(0x0a); at >= 0 && at < whole; at = bytes.indexOf(0x0a, at + 1)) this.line++;
      return whole;
    }
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i] as number;
      if (b < 0x80) {
        if (b === 0x0a) this.line++;
        i++;
        continue;
      }
      const size = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (size === 0) return this.invalid(b);
      if (i + size > bytes.length) {
        // Cut by the chunk boundary: what is there must still be continuation bytes.
        for (let j = i + 1; j < bytes.length; j++) if (!continuation(bytes[j])) return this.invalid(b);
        return i;
      }
      for (let j = i + 1; j < i + size; j++) if (!continuation(bytes[j])) return this.invalid(b);
      // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
      const second = bytes[i + 1] as number;
      if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f)) return this.invalid(b);
      if ((b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return this.invalid(b);
      i += size;
    }
    return i;
  }

  private invalid(byte: number): RunBatchError {
    const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return new RunBatchError(
      'INPUT',
      `${this.label}:${this.line}: not UTF-8 text (byte ${hex}; a Latin-1 or Windows-1252 file?): ` +
        'save it as UTF-8, e.g. iconv -f latin1 -t utf-8 FILE > FILE.utf8.csv',
    );
  }
}

/**
 * Where a character cut by the end of `bytes` starts (bytes.length when none is): back over at most
 * three continuation bytes to a lead byte whose character needs more bytes than are left.
 */
function wholeCharacters(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const b = bytes[i] as number;
    if (continuation(b)) continue;
    const size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + size > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}

function continuation(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x80 && byte <= 0xbf;
}
