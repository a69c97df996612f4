import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { openSource } from '../../src/input/source.js';
import { csvReadOptions, onBothCsvReads } from '../helpers/csv-read-modes.js';

const dir = mkdtempSync(join(tmpdir(), 'readers-'));
let n = 0;
function file(content: string | Buffer, ext: string): string {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, format: 'csv' | 'jsonl') {
  const rows = [];
  for await (const row of openSource(path, format, 'in', csvReadOptions()).rows()) rows.push(row);
  return rows;
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
  describe('CSV reader', () => {
    it('reads RFC 4180: quoted commas, doubled quotes, newlines, CRLF and a BOM', async () => {
      const path = file(
        Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from('id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n4,plain\r\n'),
        ]),
        'csv',
      );
      const rows = await readAll(path, 'csv');
      expect(rows.map((r) => r.data)).toEqual([
        { id: '1', text: 'a, b' },
        { id: '2', text: 'say "hi"' },
        { id: '3', text: 'two\r\nlines' },
        { id: '4', text: 'plain' },
      ]);
      // Line numbers count the newline inside row 3, which csv-parse alone miscounts under CRLF.
      expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 6]);
      expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    });

    it('skips blank lines and keeps counting lines across them', async () => {
      const rows = await readAll(file('id,text\n1,a\n\n\n2,b\n', 'csv'), 'csv');
      expect(rows.map((r) => [r.data.id, r.line])).toEqual([
        ['1', 2],
        ['2', 5],
      ]);
    });

    it.each([
      [
        'an unclosed quote, at the line where the row starts',
        'id,text\n1,ok\n2,"never closed\n3,x\n',
        /^in:3: unclosed quote in column "text"/,
      ],
      [
        'a stray quote in an unquoted field',
        'id,text\n1,ok\n2,say "hi" now\n',
        /^in:3: a quote inside an unquoted field in column "text"/,
      ],
      [
        'text after a closing quote',
        'id,text\n1,"ab"c\n',
        /^in:2: text after a closing quote in column "text"/,
      ],
      ['too many fields', 'id,text\n1,a\n2,b,c\n', /^in:3: expected 2 fields as in the header, got 3/],
      ['a duplicated header name', 'id,id\n1,2\n', /^in:1: column "id" appears twice in the header/],
    ])('names file and line for %s', async (_name, content, pattern) => {
      expect(await failure(file(content, 'csv'), 'csv')).toMatch(pattern);
    });

    it('reads the rows before a line that does not parse, then fails at that line', async () => {
      const path = file('id,text\n1,a\n2,b\n3,"never closed\n', 'csv');
      const read: string[] = [];
      let message = '';
      try {
        for await (const row of openSource(path, 'csv', 'in', csvReadOptions()).rows())
          read.push(String(row.data.id));
      } catch (error) {
        message = (error as Error).message;
      }
      // The check pass reports bad rows found before the broken line together with it.
      expect(read).toEqual(['1', '2']);
      expect(message).toMatch(/^in:4: unclosed quote/);
    });

    it('names a missing file', async () => {
      expect(await failure(join(dir, 'nope.csv'), 'csv')).toMatch(/in: cannot read: no such file/);
    });
  });

  describe('JSONL reader', () => {
    it('reads one object per line, ignoring blank lines and CRLF', async () => {
      const rows = await readAll(
        file('{"id":1,"prompt":"a"}\r\n\r\n{"id":2,"prompt":"b","x":[1]}\n', 'jsonl'),
        'jsonl',
      );
      expect(rows.map((r) => [r.data, r.line])).toEqual([
        [{ id: 1, prompt: 'a' }, 1],
        [{ id: 2, prompt: 'b', x: [1] }, 3],
      ]);
    });

    it('collects the columns in order of first appearance', async () => {
      const source = openSource(file('{"a":1}\n{"b":2,"a":3}\n', 'jsonl'), 'jsonl', 'in');
      for await (const _ of source.rows());
      expect(source.columns()).toEqual(['a', 'b']);
    });

    it.each([
      ['a line that is not JSON', '{"id":1}\n{"id": 2,\n', /^in:2: not valid JSON/],
      ['a line that is an array', '{"id":1}\n[1,2]\n', /^in:2: expected a JSON object, got an array/],
      ['a line that is a string', '"hello"\n', /^in:1: expected a JSON object, got a string/],
    ])('names file and line for %s', async (_name, content, pattern) => {
      expect(await failure(file(content, 'jsonl'), 'jsonl')).toMatch(pattern);
    });
  });
});
