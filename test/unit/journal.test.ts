import { existsSync, mkdtempSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { Journal } from '../../src/output/journal.js';
import { readExisting } from '../../src/output/resume.js';

const dir = mkdtempSync(join(tmpdir(), 'journal-'));
let n = 0;
const file = (ext = 'csv') => join(dir, `r${n++}.${ext}`);
const HEADER = 'id,status,response\n';
const line = (id: string, status = 'ok', response = `answer ${id}`) => `${id},${status},"${response}"\n`;

describe('journal', () => {
  it('appends in completion order and rewrites in input order, latest record per row', () => {
    const path = file();
    const journal = new Journal(path, HEADER, 4);
    journal.append(2, line('c'));
    journal.append(0, line('a', 'error'));
    journal.append(1, line('b'));
    journal.append(0, line('a'));
    expect(readFileSync(path, 'utf8')).toBe(HEADER + line('c') + line('a', 'error') + line('b') + line('a'));
    journal.finish();
    expect(readFileSync(path, 'utf8')).toBe(HEADER + line('a') + line('b') + line('c'));
  });

  it('rewrites in input order through its reused buffers: shuffled rows, some bigger than either buffer', () => {
    const path = file();
    const rows = 3000;
    // Records of 0.5 KB to 6 KB, and every 500th of 1.5 MB (past the 1 MB write buffer) or 5 MB
    // (past the 4 MB read window): ~20 MB in all, so the window moves many times.
    const text = (i: number) =>
      line(
        `r${i}`,
        'ok',
        String(i % 10).repeat(i % 500 === 7 ? (i % 1000 === 7 ? 5 << 20 : 3 << 19) : 500 + i * 2),
      );
    const order = Array.from({ length: rows }, (_, i) => i);
    let seed = 7;
    for (let i = rows - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const journal = new Journal(path, HEADER, rows);
    for (const i of order) journal.append(i, text(i));
    journal.finish();
    const expected = HEADER + order.map((_, i) => text(i)).join('');
    const written = readFileSync(path, 'utf8');
    expect(written.length).toBe(expected.length);
    expect(written === expected).toBe(true);
  });

  it('keeps writing after the disk fills, from space it set aside, and says so once', () => {
    const path = file();
    const told: string[] = [];
    let failNext = false;
    const writer = ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
      if (failNext) {
        failNext = false;
        // A partial write, then the error: half a record must not stay behind.
        writeSync(fd, buffer, offset, Math.floor(length / 2), position);
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      }
      return writeSync(fd, buffer, offset, length, position);
    }) as typeof writeSync;
    const journal = new Journal(path, HEADER, 3, {
      reserveBytes: 4096,
      onDiskFull: (m) => told.push(m),
      writeSync: writer,
    });
    expect(existsSync(`${path}.reserve`)).toBe(true);
    journal.append(0, line('a'));
    failNext = true;
    journal.append(1, line('b'));
    journal.append(2, line('c'));
    expect(told).toEqual([`the disk is full (ENOSPC) writing ${path}`]);
    expect(existsSync(`${path}.reserve`)).toBe(false);
    journal.finish();
    expect(readFileSync(path, 'utf8')).toBe(HEADER + line('a') + line('b') + line('c'));
  });

  it('without a reserve left, a failed write leaves no half record and is an error', () => {
    const path = file();
    let calls = 0;
    const writer = ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
      calls++;
      if (calls === 3) {
        writeSync(fd, buffer, offset, 3, position);
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      }
      return writeSync(fd, buffer, offset, length, position);
    }) as typeof writeSync;
    const journal = new Journal(path, HEADER, 3, { writeSync: writer });
    journal.append(0, line('a'));
    expect(() => journal.append(1, line('b'))).toThrow(RunBatchError);
    journal.close();
    expect(readFileSync(path, 'utf8')).toBe(HEADER + line('a'));
  });
});

describe('reading an existing results file', () => {
  const index = (id: string) => ({ a: 0, b: 1, c: 2 })[id];
  const read = (path: string, format: 'csv' | 'jsonl', header: string) =>
    readExisting(path, {
      format,
      header,
      rowCount: 3,
      indexOf: index,
      fingerprintAt: () => '',
      keepChanged: false,
      label: path,
    });

  it.each([
    ['whole', line('a') + line('b', 'error'), 0, [1, 0, 0]],
    ['cut in an unquoted field', `${line('a')}b,o`, 3, [1, 0, 0]],
    ['cut inside a quoted field, after a newline in it', `${line('a')}b,ok,"first line\n`, 17, [1, 0, 0]],
    ['cut right after a closing quote', `${line('a')}b,ok,"x"`, 8, [1, 0, 0]],
  ])('CSV %s: keeps whole records and cuts the rest', async (_name, body, cut, done) => {
    const path = file();
    writeFileSync(path, HEADER + body);
    const existing = await read(path, 'csv', HEADER);
    expect(existing?.repairedBytes).toBe(cut);
    expect([...(existing?.alreadyOk ?? [])]).toEqual(done);
    expect(readFileSync(path, 'utf8')).toBe(HEADER + body.slice(0, body.length - cut));
  });

  it('refuses a CSV written with other columns', async () => {
    const path = file();
    writeFileSync(path, `id,status\n${'a,ok\n'}`);
    await expect(read(path, 'csv', HEADER)).rejects.toThrow(/its columns differ from what this run writes/);
  });

  it('JSONL: the latest record of a row wins, an ok one is final, a line without newline is cut', async () => {
    const path = file('jsonl');
    const rec = (id: string, status: string) => `${JSON.stringify({ id, status })}\n`;
    writeFileSync(
      path,
      `${rec('b', 'error') + rec('a', 'ok') + rec('b', 'ok') + rec('b', 'error')}{"id":"c","sta`,
    );
    const existing = await read(path, 'jsonl', '');
    expect([...(existing?.alreadyOk ?? [])]).toEqual([1, 1, 0]);
    expect(existing).toMatchObject({ ok: 2, errors: 0, ordered: false, repairedBytes: 14 });
  });

  it('refuses, rather than cuts, a damaged file', async () => {
    const path = file('jsonl');
    writeFileSync(path, `{"id":"a","status":"ok"}\nnot json\n{"id":"b","status":"ok"}\n`);
    await expect(read(path, 'jsonl', '')).rejects.toThrow(/:2: is not a results record/);
  });
});
