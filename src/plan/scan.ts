/**
 * The check pass over the input: every row is read and built into its request with the run's own
 * builder, checked (the input's own rules, then the model's and the API's), and its id checked for
 * duplicates. Every bad row is collected (the first MAX_LISTED named) and reported together, so
 * `run` and `estimate` refuse the same rows with the same messages. Nothing is sent until this
 * pass has succeeded.
 */
import { RunBatchError } from '../errors.js';
import type { RequestBuilder } from '../input/request.js';
import type { RowSource } from '../input/source.js';
import type { PromptRequest } from '../types.js';
import type { RequestCheck } from './checks.js';
import { IdIndex } from './id-index.js';

/** At most this many bad rows are listed; the count says how many more there are. */
export const MAX_LISTED = 20;

export interface ScanOptions {
  label: string;
  check?: RequestCheck;
  /** A signal while a big input is checked stops the scan: nothing has been sent yet. */
  signal?: AbortSignal;
}

/**
 * Calls `onRow` for every good row, in input order; throws every problem at the end. Returns every
 * id, numbered by its first line; when the scan succeeds, the n-th id is the n-th row `onRow` had.
 */
export async function scanRows(
  source: RowSource,
  build: RequestBuilder,
  options: ScanOptions,
  onRow: (request: PromptRequest) => void,
): Promise<{ rowCount: number; columns: string[]; ids: IdIndex }> {
  const { label } = options;
  const problems: string[] = [];
  const firstLine = new IdIndex();
  let rowCount = 0;
  let headerError: RunBatchError | undefined;
  try {
    for await (const row of source.rows()) {
      if (options.signal?.aborted) {
        throw new RunBatchError(
          'STOPPED',
          `${String(options.signal.reason ?? 'interrupted')} while checking the input; nothing was sent`,
        );
      }
      rowCount++;
      let request: PromptRequest;
      try {
        request = build(row, source.columns());
      } catch (error) {
        if (!(error instanceof RunBatchError)) throw error;
        // A header problem (no prompt column, unknown template variable) is the same for every row.
        if (problems.at(-1) === error.message) {
          headerError = error;
          break;
        }
        problems.push(error.message);
        continue;
      }
      const problem = options.check?.(request);
      if (problem !== undefined) problems.push(`${label}:${row.line}: ${problem}`);
      const first = firstLine.add(request.id, row.line);
      if (first !== undefined)
        problems.push(`${label}:${row.line}: duplicate id "${request.id}" (first on line ${first})`);
      if (problem === undefined && first === undefined && problems.length === 0) onRow(request);
    }
  } catch (error) {
    // The reader stops at a line it cannot parse: report it after the rows already found bad.
    if (!(error instanceof RunBatchError) || error.code === 'STOPPED' || problems.length === 0) throw error;
    problems.push(error.message);
  }
  if (headerError) throw headerError;
  if (problems.length > 0) throw badRows(problems, label);
  return { rowCount, columns: [...source.columns()], ids: firstLine };
}

/**
 * One error naming the bad rows (each `label:line: problem`). A problem that is the same on many
 * rows (a flag no row can take) is named once, on its first line, with how many more rows have it.
 */
export function badRows(problems: string[], label: string): RunBatchError {
  const groups = new Map<string, { first: string; rows: number }>();
  for (const problem of problems) {
    const what = problem.replace(/^.*?:\d+: /, '');
    const group = groups.get(what);
    if (group) group.rows++;
    else groups.set(what, { first: problem, rows: 1 });
  }
  const lines = [...groups.values()].map(({ first, rows }) =>
    rows === 1 ? first : `${first} (and ${rows - 1} more ${rows === 2 ? 'row' : 'rows'})`,
  );
  const listed = lines.slice(0, MAX_LISTED);
  const more = lines.length - listed.length;
  if (problems.length === 1) return new RunBatchError('INPUT', listed[0] as string);
  const count = `${problems.length} bad ${problems.length === 1 ? 'row' : 'rows'}`;
  const closing = `${label}: ${count}${more > 0 ? ` (${more} more problems not listed)` : ''}; nothing was sent`;
  return new RunBatchError('INPUT', [...listed, closing].join('\n'));
}
