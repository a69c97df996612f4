/**
 * The scorer a run writes its results with (`--expect`): the result fields it adds, their values
 * for one record and its input row, the checks of the expected cells made in the plan pass, and
 * the accuracy over the rows written. It sees each record as it is serialized, new, reused from the
 * ledger or kept from the results file, so a kept answer is scored again under today's --match.
 */
import { RunBatchError } from '../errors.js';
import type { ExpectEntry, JobSpec } from '../job/spec.js';
import type { ResultRecord } from '../types.js';
import { expectedProblem, matches } from './match.js';

export type ScoreSpec = Pick<JobSpec, 'expect' | 'match' | 'tolerance'>;

export interface ScoreTally {
  /** Rows with an expected value and an answer: the ones accuracy is over. */
  rows: number;
  matched: number;
}

export interface Scorer {
  /** The result fields, in order: `expected`, `match`; or `match`, then `expected_F`, `match_F` per field. */
  readonly fields: readonly string[];
  readonly columns: readonly string[];
  /** The score fields of one record (status, response) and its input row. */
  score(
    record: Pick<ResultRecord, 'id' | 'status' | 'response'>,
    row: Record<string, unknown>,
  ): Record<string, unknown>;
  /** What is wrong with a row's expected cells (a bad pattern, not a number), or undefined. */
  problem(row: Record<string, unknown>): string | undefined;
  tally(): ScoreTally;
}

/** The text of an expected cell or an answer's field: '' for none. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function scoreFields(expect: readonly ExpectEntry[]): string[] {
  if (expect.length === 0) return [];
  if (expect[0]?.field === undefined) return ['expected', 'match'];
  return ['match', ...expect.flatMap((e) => [`expected_${e.field}`, `match_${e.field}`])];
}

/** A result field a scoring run writes (`expected`, `match`, `expected_F`, `match_F`). */
export function isScoreField(name: string): boolean {
  return /^(?:expected|match)(?:_.+)?$/.test(name);
}

export function makeScorer(spec: ScoreSpec): Scorer | undefined {
  // A JobSpec made by a program written before --expect has none: no scoring, not a crash.
  const expect = spec.expect ?? [];
  if (expect.length === 0) return undefined;
  const mode = spec.match ?? 'normalized';
  const tolerance = spec.tolerance ?? 0;
  const perField = expect[0]?.field !== undefined;
  // The last verdict written for each id: a row written twice (kept, then refreshed) counts once.
  const verdicts = new Map<string, boolean | null>();
  const expectedOf = (row: Record<string, unknown>, column: string) => cellText(row[column]).trim();
  const verdict = (answer: string, expected: string, ok: boolean) =>
    !ok || expected === '' ? null : matches(mode, answer, expected, tolerance);
  return {
    fields: scoreFields(expect),
    columns: expect.map((e) => e.column),
    score(record, row) {
      const ok = record.status === 'ok';
      if (!perField) {
        const expected = expectedOf(row, expect[0]?.column ?? '');
        const result = verdict(record.response, expected, ok);
        verdicts.set(record.id, result);
        return { expected, match: result };
      }
      const answer = ok ? parsed(record.response) : {};
      const fields: Record<string, unknown> = {};
      const results: boolean[] = [];
      for (const { field = '', column } of expect) {
        const expected = expectedOf(row, column);
        const result = verdict(cellText(answer[field]), expected, ok);
        fields[`expected_${field}`] = expected;
        fields[`match_${field}`] = result;
        if (result !== null) results.push(result);
      }
      // A row matches when every field it has an expected value for does.
      const all = results.length === 0 ? null : results.every(Boolean);
      verdicts.set(record.id, all);
      return { match: all, ...fields };
    },
    problem(row) {
      for (const { column } of expect) {
        const expected = expectedOf(row, column);
        const problem = expected === '' ? undefined : expectedProblem(mode, expected);
        if (problem !== undefined) return `column "${column}": ${problem}`;
      }
      return undefined;
    },
    tally() {
      let rows = 0;
      let matched = 0;
      for (const result of verdicts.values()) {
        if (result === null) continue;
        rows++;
        if (result) matched++;
      }
      return { rows, matched };
    },
  };
}

function parsed(response: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(response);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** An --expect column the input does not have: exit 2, naming it and the columns it has. */
export function checkExpectColumns(
  scorer: Scorer | undefined,
  columns: readonly string[],
  label: string,
): void {
  const missing = scorer?.columns.find((c) => !columns.includes(c));
  if (missing === undefined) return;
  throw new RunBatchError(
    'INPUT',
    `${label}:1: no "${missing}" column for --expect; the columns are ${columns.join(', ')}`,
  );
}
