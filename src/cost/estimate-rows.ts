/**
 * The two passes of `estimate` over the input: the first builds every row with the run's own
 * builder and collects every bad one (same messages as a run) before failing; the second, only
 * with an exact counter, counts the rows' input tokens a few at a time.
 */
import pLimit from 'p-limit';
import { RunBatchError } from '../errors.js';
import type { RequestBuilder } from '../input/request.js';
import type { RowSource } from '../input/source.js';
import type { PromptRequest } from '../types.js';
import type { TokenCounter } from './estimate.js';

/** At most this many bad rows are listed; the count says how many more there are. */
const MAX_LISTED = 20;

/** Builds every row; collects the bad ones (same messages as a run) and throws them all together. */
export async function checkRows(
  source: RowSource,
  build: RequestBuilder,
  label: string,
  onRequest?: (request: PromptRequest) => void,
): Promise<number> {
  const problems: string[] = [];
  const firstLine = new Map<string, number>();
  let rows = 0;
  let headerError: RunBatchError | undefined;
  try {
    for await (const row of source.rows()) {
      rows++;
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
      const first = firstLine.get(request.id);
      if (first !== undefined)
        problems.push(`${label}:${row.line}: duplicate id "${request.id}" (first on line ${first})`);
      else firstLine.set(request.id, row.line);
      onRequest?.(request);
    }
  } catch (error) {
    // The reader stops at a line it cannot parse: report it after the rows already found bad.
    if (!(error instanceof RunBatchError) || problems.length === 0) throw error;
    problems.push(error.message);
  }
  if (headerError) throw headerError;
  if (problems.length === 0) return rows;
  const listed = problems.slice(0, MAX_LISTED);
  const more = problems.length - listed.length;
  throw new RunBatchError(
    'INPUT',
    [
      ...listed,
      `${label}: ${problems.length} bad ${problems.length === 1 ? 'row' : 'rows'}${more > 0 ? ` (${more} more not listed)` : ''}; nothing was estimated`,
    ].join('\n'),
  );
}

export async function countAll(
  source: RowSource,
  build: RequestBuilder,
  concurrency: number,
  counter: TokenCounter,
  tally: (request: PromptRequest, inputTokens: number) => void,
): Promise<void> {
  const limit = pLimit(concurrency);
  const running = new Set<Promise<void>>();
  let failure: unknown;
  for await (const row of source.rows()) {
    if (failure !== undefined) break;
    const request = build(row, source.columns());
    while (running.size >= concurrency * 2) await Promise.race(running);
    const task = limit(() => counter(request))
      .then((tokens) => tally(request, tokens))
      .catch((error: unknown) => {
        failure ??= error;
      });
    running.add(task);
    void task.finally(() => running.delete(task));
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}
