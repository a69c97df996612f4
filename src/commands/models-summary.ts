/**
 * The printed summary of several models at once: a line per model (its rows, score, cost, calls,
 * exit code and results file), the total, then why any model stopped or did not run. Each model's
 * full summary is in `<its results>.summary.json`, as for a lone run.
 */
import { dollars, grouped, picoFromUsd } from '../cost/money.js';
import { displayPath } from '../errors.js';
import type { ModelRun, ModelsSummary } from '../run/several-models.js';

const HEAD = ['model', 'rows', 'ok', 'error', 'not run', 'score', 'cost', 'calls', 'exit', 'results'];
/** Columns right-aligned (numbers). */
const RIGHT = new Set([1, 2, 3, 4, 7, 8]);

export function formatModelsSummary(summary: ModelsSummary, cwd: string): string {
  const table = [HEAD, ...summary.models.map((run) => modelCells(run, cwd))];
  const widths = HEAD.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (RIGHT.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const { rows } = summary;
  const cost = summary.costUsd === null ? 'cost unknown' : dollars(picoFromUsd(summary.costUsd));
  const lines = [
    `models    ${summary.models.length} at once, sharing -c ${summary.concurrency} (at most ${grouped(summary.peakInFlight)} calls were in flight together)`,
    ...table.map(line),
    `total     ${grouped(rows.total)} rows: ${grouped(rows.ok)} ok, ${grouped(rows.error)} error` +
      (rows.notRun > 0 ? `, ${grouped(rows.notRun)} not run` : '') +
      `; ${cost}; ${grouped(summary.attempts)} calls, ${grouped(summary.throttles)} throttled; ${(summary.wallMs / 1000).toFixed(1)}s; exit ${summary.exitCode}`,
  ];
  for (const run of summary.models) {
    if (run.error !== undefined) lines.push(`error     ${run.model}: ${run.error}`);
    else if (run.summary?.stopReason && run.summary.rows.notRun > 0)
      lines.push(`${run.exitCode === 5 ? 'waiting' : 'stopped'}   ${run.model}: ${run.summary.stopReason}`);
  }
  const slice = summary.models.find((run) => run.summary?.slice)?.summary?.slice;
  if (slice) lines.push(`slice     ${slice}`);
  return `${lines.join('\n')}\n`;
}

function modelCells(run: ModelRun, cwd: string): string[] {
  const s = run.summary;
  const results = displayPath(run.output, cwd);
  if (!s) return [run.model, '-', '-', '-', '-', '-', '-', '-', String(run.exitCode), results];
  const score = s.score
    ? s.score.accuracy === null
      ? 'none scored'
      : `${grouped(s.score.matched)} of ${grouped(s.score.rows)} (${(s.score.accuracy * 100).toFixed(1)}%)`
    : '-';
  return [
    run.model,
    grouped(s.rows.total),
    grouped(s.rows.ok),
    grouped(s.rows.error),
    grouped(s.rows.notRun),
    score,
    s.costUsd === null ? 'unknown' : dollars(picoFromUsd(s.costUsd)),
    grouped(s.attempts),
    String(run.exitCode),
    results,
  ];
}
