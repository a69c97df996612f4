/** The human-readable run summary. */
import { relative } from 'node:path';
import type { RunSummary } from '../run/summary.js';
import { costLines } from './summary-lines.js';

export function formatSummary(summary: RunSummary, cwd: string): string {
  const { rows, tokens } = summary;
  const seconds = (summary.wallMs / 1000).toFixed(1);
  const lines = [
    `rows      ${rows.total} total: ${rows.ok} ok, ${rows.error} error, ${rows.skipped} skipped` +
      (rows.notRun > 0 ? `, ${rows.notRun} not run` : ''),
    `tokens    ${fmt(tokens.input)} in, ${fmt(tokens.output)} out` +
      (tokens.cacheRead + tokens.cacheWrite > 0
        ? `, ${fmt(tokens.cacheRead)} cache read, ${fmt(tokens.cacheWrite)} cache write`
        : ''),
    ...costLines(summary),
    `time      ${seconds}s, ${summary.rowsPerSecond} rows/s, ${summary.attempts} calls, ${summary.throttles} throttled`,
  ];
  for (const [code, count] of Object.entries(summary.errorsByCode)) lines.push(`errors    ${count} ${code}`);
  if (summary.stopReason) lines.push(`stopped   ${summary.stopReason}`);
  lines.push(`results   ${display(summary.output, cwd)}`);
  return `${lines.join('\n')}\n`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
