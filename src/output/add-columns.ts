/**
 * A results file written before a cost lever was turned on lacks that lever's columns
 * (`service_tier`, `cache_write_1h_tokens`). Its answers are still good (a request's fingerprint
 * leaves the tier and the cache TTL out), so instead of refusing the file, and having the user pay
 * again with --fresh, it is rewritten with the columns added, empty on the rows already there. The
 * rewrite goes to a temporary file (named as the journal names its own, so a crash's leftover is
 * cleared the same way) that replaces the results file in one rename, and the old bytes stay in
 * `<output>.before-columns`, so nothing is lost whatever stops it. A file that does not read back
 * whole (a crash's half-written last row, damage), or a rewrite that fails (a full disk), leaves the
 * file as it is, for resume to judge.
 */
import { createReadStream, createWriteStream, linkSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify';
import { commitTemp, tempPathFor } from '../atomic-write.js';
import { CSV_OPTIONS } from './layout.js';
import { readHead } from './resume.js';

/** The most of a file's start read to find its header line. */
const HEAD_BYTES = 1 << 20;

/** The column names of a CSV file's first line, or undefined when it has no whole first line. */
export function csvHeaderNames(path: string): string[] | undefined {
  try {
    const text = readHead(path, HEAD_BYTES);
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    const names = parseSync(text.slice(0, end + 1))[0] as unknown;
    return Array.isArray(names) ? (names as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The result fields of a JSONL results file's first whole record (its input left out), or undefined. */
export function jsonlFieldNames(path: string): string[] | undefined {
  try {
    const text = readHead(path, HEAD_BYTES);
    const end = text.indexOf('\n');
    if (end < 0) return undefined;
    const record = JSON.parse(text.slice(0, end)) as unknown;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
    return Object.keys(record).filter((k) => k !== 'input' && k !== 'response_json');
  } catch {
    return undefined;
  }
}

/**
 * Rewrites `path` under `header` (the whole header line this run writes), each record's cells
 * moved to their column by name and the columns it lacked left empty. Cells are copied as they
 * are (already made spreadsheet-safe when first written), so the header's names, written again,
 * are the header. Returns false, with the file untouched, when the rewrite cannot be made whole.
 */
export async function addColumns(path: string, header: string): Promise<boolean> {
  const names = parseSync(header)[0] as string[];
  const temp = tempPathFor(path);
  async function* moved(records: AsyncIterable<string[]>) {
    yield names;
    let at: Map<string, number> | undefined;
    for await (const record of records) {
      if (at === undefined) at = new Map(record.map((name, i) => [name, i]));
      else yield names.map((name) => record[at?.get(name) ?? -1] ?? '');
    }
  }
  try {
    await pipeline(
      createReadStream(path),
      parse({ relax_column_count: false }),
      moved,
      stringify(CSV_OPTIONS),
      createWriteStream(temp),
    );
  } catch {
    rmSync(temp, { force: true });
    return false;
  }
  const before = `${path}.before-columns`;
  rmSync(before, { force: true });
  linkSync(path, before);
  commitTemp(temp, path);
  return true;
}
