/**
 * Input files as users really have them (mixed line endings, bytes that are not UTF-8, odd header
 * names, a column that looks like an override): the readers read what the user meant or refuse
 * with `file:line` and how to fix it, never a silent 0 rows or mangled text.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { lookalikeColumns, openSource } from '../../src/input/source.js';
import { csvReadOptions, onBothCsvReads } from '../helpers/csv-read-modes.js';

const dir = mkdtempSync(join(tmpdir(), 'safety-input-'));
let n = 0;
function file(content: string | Buffer, ext: string): string {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, format: 'csv' | 'jsonl') {
  const source = openSource(path, format, 'in', csvReadOptions());
  const rows = [];
  for await (const row of source.rows()) rows.push(row);
  return { rows: rows.map((r) => r.data), lines: rows.map((r) => r.line), columns: source.columns() };
}

async function failure(path: string, format: 'csv' | 'jsonl'): Promise<string> {
  try {
    await readAll(path, format);
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    expect((error as RunBatchError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected the read to fail');
}

onBothCsvReads(() => {
  describe('mixed line endings', () => {
    it('a CRLF file with one LF line reads every row', async () => {
      const got = await readAll(file('id,prompt\r\n1,a\r\n2,b\n3,c\r\n', 'csv'), 'csv');
      expect(got.rows).toEqual([
        { id: '1', prompt: 'a' },
        { id: '2', prompt: 'b' },
        { id: '3', prompt: 'c' },
      ]);
      expect(got.lines).toEqual([2, 3, 4]);
    });

    it('an LF file with one CRLF line does not send "b\\r"', async () => {
      const got = await readAll(file('id,prompt\n1,a\n2,b\r\n3,c\n', 'csv'), 'csv');
      expect(got.rows.map((r) => r.prompt)).toEqual(['a', 'b', 'c']);
    });

    it('a CR inside a quoted field stays data', async () => {
      const got = await readAll(file('id,prompt\n1,"x\ry"\n', 'csv'), 'csv');
      expect(got.rows[0]?.prompt).toBe('x\ry');
    });

    it('JSONL with mixed endings', async () => {
      const got = await readAll(
        file('{"prompt":"a"}\r\n{"prompt":"b"}\n{"prompt":"c"}\r\n', 'jsonl'),
        'jsonl',
      );
      expect(got.rows.map((r) => r.prompt)).toEqual(['a', 'b', 'c']);
    });
  });

  describe('bytes that are not UTF-8 text', () => {
    const latin1 = Buffer.from('id,prompt\n1,plain\n2,caf\xe9 cr\xe8me\n', 'latin1');

    it.each(['csv', 'jsonl'] as const)('Latin-1 in a %s file is refused naming the line', async (format) => {
      const content =
        format === 'csv' ? latin1 : Buffer.from('{"prompt":"plain"}\n{"prompt":"caf\xe9"}\n', 'latin1');
      const message = await failure(file(content, format), format);
      expect(message).toMatch(/^in:\d: not UTF-8 text \(byte 0xE9/);
      expect(message).toContain(format === 'csv' ? 'in:3:' : 'in:2:');
      expect(message).toContain('iconv');
    });

    it('an invalid byte past the first chunk names its line', async () => {
      const lines = Array.from({ length: 20_000 }, (_, i) => `${i},row ${i} é`);
      lines[15_000] = '15000,bad \xff';
      const content = Buffer.concat([
        Buffer.from('id,prompt\n'),
        ...lines.map((line) => Buffer.from(`${line}\n`, line.includes('\xff') ? 'latin1' : 'utf8')),
      ]);
      expect(await failure(file(content, 'csv'), 'csv')).toContain('in:15002: not UTF-8 text (byte 0xFF');
    });

    it('multi-byte UTF-8 split across chunk boundaries reads whole', async () => {
      const rows = Array.from({ length: 30_000 }, (_, i) => `${i},日本語 émoji 🎉 ${i}`);
      const got = await readAll(file(`id,prompt\n${rows.join('\n')}\n`, 'csv'), 'csv');
      expect(got.rows).toHaveLength(30_000);
      expect(got.rows[29_999]?.prompt).toBe('日本語 émoji 🎉 29999');
    });

    // Whole chunks are checked natively; these are the cases where it must fall back to the walk.
    it.each([
      ['a file ending inside a character', Buffer.from([0xe6, 0x97]), 'in:20002: not UTF-8 text (byte 0xE6'],
      ['an overlong form', Buffer.from([0xc0, 0xaf, 0x0a]), 'in:20002: not UTF-8 text (byte 0xC0'],
      ['a surrogate', Buffer.from([0xed, 0xa0, 0x80, 0x0a]), 'in:20002: not UTF-8 text (byte 0xED'],
      [
        'a lead byte past U+10FFFF',
        Buffer.from([0xf5, 0x80, 0x80, 0x80, 0x0a]),
        'in:20002: not UTF-8 text (byte 0xF5',
      ],
    ])('%s after many good chunks names its line', async (_, tail, expected) => {
      const rows = Array.from({ length: 20_000 }, (_, i) => `${i},row ${i} 日本語`);
      const content = Buffer.concat([Buffer.from(`id,prompt\n${rows.join('\n')}\nlast,`), tail]);
      expect(await failure(file(content, 'csv'), 'csv')).toContain(expected);
    });

    it('a gzip file named .csv is refused by its magic bytes, not read as 0 rows', async () => {
      const message = await failure(file(gzipSync('id,prompt\n1,a\n'), 'csv'), 'csv');
      expect(message).toBe('in: is gzip-compressed, not text: decompress it first (gunzip -k FILE)');
    });

    it('an xlsx (zip) and UTF-16 are refused too', async () => {
      expect(await failure(file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), 'csv'), 'csv')).toContain('zip');
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('prompt\n', 'utf16le')]);
      expect(await failure(file(utf16, 'csv'), 'csv')).toContain('UTF-16');
    });

    it("Excel's UTF-8 BOM is still fine", async () => {
      const got = await readAll(file('\uFEFFprompt\nhi\n', 'csv'), 'csv');
      expect(got.columns).toEqual(['prompt']);
    });
  });

  describe('header names', () => {
    it('a column_2 header beside two empty names is not a "duplicate"', async () => {
      const got = await readAll(file('prompt,,column_2,\nhi,a,b,c\n', 'csv'), 'csv');
      expect(got.columns).toEqual(['prompt', 'column_2_2', 'column_2', 'column_4']);
      expect(new Set(got.columns).size).toBe(4);
    });

    it('a name written twice is still a duplicate', async () => {
      expect(await failure(file('prompt,a,a\nx,1,2\n', 'csv'), 'csv')).toBe(
        'in:1: column "a" appears twice in the header',
      );
    });
  });

  describe('columns that look like an override', () => {
    it.each([
      ['Model', 'model'],
      ['Max Tokens', 'max_tokens'],
      ['max-tokens', 'max_tokens'],
      ['SYSTEM', 'system'],
    ])('%j gets a warning naming %j', (column, meant) => {
      const [note] = lookalikeColumns(['prompt', column], 'in.csv');
      expect(note).toContain(`column "${column}" is not the per-row "${meant}" override`);
    });

    it('no warning for the exact names, or when the exact one is also there', () => {
      expect(lookalikeColumns(['prompt', 'model', 'max_tokens'], 'in.csv')).toEqual([]);
      expect(lookalikeColumns(['prompt', 'model', 'Model'], 'in.csv')).toEqual([]);
    });
  });
});
