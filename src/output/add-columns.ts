/**
 * A results file written before a cost lever was turned on lacks that lever's columns
 * (`service_tier`, `cache_write_1h_tokens`). Its answers are still good (a request's fingerprint
 * leaves the tier and the cache TTL out), so instead of refusing the file, and having the user pay
 * again with --fresh, it is rewritten with the columns added, empty on the rows already there. The
 * rewrite goes to a temporary file that replaces the results file in one rename, and the old bytes
 * stay in `<output>.before-columns`, so nothing is lost whatever stops it. A file that does not read
 * back whole (a crash's half-written last row, damage) is left as it is, for resume to judge.
 */
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify';

/** The most of a file's start read to find its header line. */
const HEAD_BYTES = 1 << 20;

/** The column names of a CSV file's first line, or undefined when it has no whole first line. */
export function csvHeaderNames(path: string): string[] | undefined {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const read = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    const text = buffer.subarray(0, read).toString('utf8');
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    const names = parseSync(text.slice(0, end + 1), { to_line: 1 })[0] as string[] | undefined;
    return Array.isArray(names) ? names : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Rewrites `path` under `header` (the whole header line this run writes), each record's cells
 * moved to their column by name and the columns it lacked left empty. Cells are copied as they
 * are (already made spreadsheet-safe when first written). Returns false, with the file untouched,
 * when some record does not read back.
 */
export async function addColumns(path: string, header: string): Promise<boolean> {
  const names = parseSync(header)[0] as string[];
  const temp = `${path}.adding-columns`;
  let at: Map<string, number> | undefined;
  const parser = createReadStream(path).pipe(parse({ relax_column_count: false }));
  const out = createWriteStream(temp, { flags: 'w' });
  const writer = stringify({ record_delimiter: 'unix', quoted_match: /\r/ });
  writer.pipe(out);
  out.write(header);
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (at === undefined) {
        at = new Map(record.map((name, i) => [name, i]));
        continue;
      }
      const index = at;
      writer.write(names.map((name) => record[index.get(name) ?? -1] ?? ''));
    }
    writer.end();
    await once(out, 'close');
  } catch {
    writer.destroy();
    out.destroy();
    rmSync(temp, { force: true });
    return false;
  }
  const fd = openSync(temp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const before = `${path}.before-columns`;
  rmSync(before, { force: true });
  linkSync(path, before);
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return true;
}
