/** atomic-write.ts: the path holds the old bytes or the new, never a part; no temporary file stays. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitTemp, tempPathFor, writeAtomic, writeFileAtomic } from '../../src/atomic-write.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'atomic-'));
}

describe('atomic write', () => {
  it('writes a new file and replaces an old one, leaving nothing beside it', () => {
    const at = dir();
    const path = join(at, 'out.json');
    writeFileAtomic(path, 'first\n');
    expect(readFileSync(path, 'utf8')).toBe('first\n');
    writeFileAtomic(path, Buffer.from('second\n'));
    expect(readFileSync(path, 'utf8')).toBe('second\n');
    expect(readdirSync(at)).toEqual(['out.json']);
  });

  it('puts the temporary file in the same directory, named by the process (prepare.ts clears these)', () => {
    expect(tempPathFor('/a/b/out.csv')).toBe(`/a/b/out.csv.${process.pid}.tmp`);
  });

  it('keeps the old bytes and removes the temporary file when the writer fails part way', () => {
    const at = dir();
    const path = join(at, 'out.csv');
    writeFileSync(path, 'old\n');
    expect(() =>
      writeAtomic(path, (fd) => {
        writeSync(fd, 'half of the new');
        throw new Error('ENOSPC: no space left on device');
      }),
    ).toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(at)).toEqual(['out.csv']);
  });

  it('writes in pieces through the open temporary file', () => {
    const at = dir();
    const path = join(at, 'out.csv');
    writeAtomic(path, (fd) => {
      writeSync(fd, 'a,b\n');
      writeSync(fd, '1,2\n');
    });
    expect(readFileSync(path, 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(at)).toEqual(['out.csv']);
  });

  it('commits a temporary file written some other way over the path', () => {
    const at = dir();
    const path = join(at, 'out.csv');
    writeFileSync(path, 'old\n');
    writeFileSync(tempPathFor(path), 'new\n');
    commitTemp(tempPathFor(path), path);
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(readdirSync(at)).toEqual(['out.csv']);
  });
});
