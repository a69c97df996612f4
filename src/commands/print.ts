/** The human-readable run summary. */
import { dollars, grouped, picoFromUsd } from '../cost/money.js';
import { displayPath, ExitCode } from '../errors.js';
import { judgeLine } from '../judge/open.js';
import type { RunSummary } from '../run/summary.js';
import { costLines } from './summary-lines.js';

export function formatSummary(summary: RunSummary, cwd: string): string {
  const { rows, tokens } = summary;
  const seconds = (summary.wallMs / 1000).toFixed(1);
  const lines = [
    `rows      ${fmt(rows.total)} total: ${fmt(rows.ok)} ok, ${fmt(rows.error)} error, ${fmt(rows.skipped)} skipped` +
      (rows.reused ? `, ${fmt(rows.reused)} reused (from the answer ledger, no call)` : '') +
      (rows.dropped ? `, ${fmt(rows.dropped)} dropped (no longer in the input)` : '') +
      (rows.notRun > 0 ? `, ${fmt(rows.notRun)} not run` : ''),
    `tokens    ${fmt(tokens.input)} in, ${fmt(tokens.output)} out` +
      (tokens.cacheRead + tokens.cacheWrite > 0
        ? `, ${fmt(tokens.cacheRead)} cache read, ${fmt(tokens.cacheWrite)} cache write`
        : ''),
    ...costLines(summary),
    ...(summary.guardrail ? [guardrailLine(summary.guardrail)] : []),
    ...(summary.score ? [scoreLine(summary.score)] : []),
    ...(summary.judge ? [judgeLine(summary.judge)] : []),
    summary.batch
      ? batchLine(summary.batch, seconds)
      : `time      ${seconds}s, ${summary.rowsPerSecond} rows/s, ${fmt(summary.attempts)} calls, ${fmt(summary.throttles)} throttled`,
  ];
  for (const [code, count] of Object.entries(summary.errorsByCode))
    lines.push(`errors    ${fmt(count)} ${code}`);
  if (summary.stopReason && summary.exitCode === ExitCode.BatchRunning)
    lines.push(`waiting   ${summary.stopReason}`);
  else if (summary.stopReason && summary.exitCode === ExitCode.Stopped)
    lines.push(`stopped   ${summary.stopReason}`);
  else if (summary.stopReason) {
    // A stop that came when nothing was left undone (the disk filled as the last rows were written
    // into the reserve): the run is finished, so it must not read as stopped or ask for a rerun.
    const what = summary.stopReason.replace(/: stopped admitting rows.*$/, '');
    lines.push(`note      ${what}; every row finished and was written all the same`);
  }
  if (summary.slice) lines.push(`slice     ${summary.slice}`);
  if (summary.shard) lines.push(`shard     ${summary.shard.replace(/^shard /, '')} of the input`);
  lines.push(`results   ${displayPath(summary.output, cwd)}`);
  return `${lines.join('\n')}\n`;
}

const fmt = grouped;

/** --guardrail: how many rows it checked and blocked, and its part of the cost. */
function guardrailLine(g: NonNullable<RunSummary['guardrail']>): string {
  const cost =
    g.costUsd === null
      ? 'cost unknown (no --guardrail-trace)'
      : `${dollars(picoFromUsd(g.costUsd))} of the cost`;
  return `guardrail ${fmt(g.rows)} rows checked, ${fmt(g.intervened)} intervened, ${cost}`;
}

/** --expect: accuracy over the scored rows (those with an expected value and an answer). */
export function scoreLine(score: NonNullable<RunSummary['score']>): string {
  if (score.accuracy === null) return 'score     no row had both an expected value and an answer';
  return `score     ${fmt(score.matched)} of ${fmt(score.rows)} match (${(score.accuracy * 100).toFixed(1)}%)`;
}

/** A batch run: jobs and records, and how long Bedrock took, not calls and rows/s. */
function batchLine(batch: NonNullable<RunSummary['batch']>, seconds: string): string {
  const hours = batch.bedrockMs / 3_600_000;
  const minutes = batch.bedrockMs / 60_000;
  const took =
    hours >= 1
      ? `${hours.toFixed(1)}h`
      : minutes >= 1
        ? `${minutes.toFixed(1)} min`
        : `${(batch.bedrockMs / 1000).toFixed(1)}s`;
  const onDemand = batch.onDemandCalls > 0 ? `; ${fmt(batch.onDemandCalls)} on-demand calls` : '';
  return `batch     ${fmt(batch.jobs)} ${batch.jobs === 1 ? 'job' : 'jobs'} collected, ${fmt(batch.records)} records, Bedrock took ${took}${onDemand}; this run ${seconds}s`;
}
