/**
 * The lines of `--log-format json`: one JSON object per line on stderr for every event, each with
 * a `type` (progress, warning, summary, error) and an ISO 8601 `time`, for log shippers. Also how a
 * setup error is worded in either format, for the CLI, which prints those.
 */
import type { Progress } from '../run/run-batch.js';
import type { Rates } from './format.js';

export type LogFormat = 'text' | 'json';

export function jsonLine(type: string, now: number, fields: object): string {
  return `${JSON.stringify({ type, time: new Date(now).toISOString(), ...fields })}\n`;
}

/** The fields of a `progress` event: the run's counters and the rates computed from them. */
export function progressFields(p: Progress, r: Rates) {
  return {
    total: p.total,
    finished: r.finished,
    ok: p.ok,
    error: p.error,
    skipped: p.skipped,
    reused: p.reused ?? 0,
    percent: round1(r.percent),
    rowsPerSecond: round1(r.rowsPerSecond),
    etaSeconds: r.etaSeconds === null ? null : Math.ceil(r.etaSeconds),
    elapsedSeconds: round1(r.elapsedSeconds),
    inputTokens: p.inputTokens,
    outputTokens: p.outputTokens,
    costUsd: p.costUsd,
    attempts: p.attempts,
    throttles: p.throttles,
  };
}

/** A setup error (bad flag, job file, input, credentials, lock) as the CLI prints it. */
export function errorText(
  error: { message: string; code: string; exitCode: number },
  format: LogFormat,
  now: number,
): string {
  return format === 'json'
    ? jsonLine('error', now, { code: error.code, exitCode: error.exitCode, message: error.message })
    : `run-batch: ${error.message}\n`;
}

/**
 * The --log-format on the command line, read before the parser runs, so that even a parse error is
 * a JSON line for a log shipper. The last one given wins, as with the parser.
 */
export function logFormatFromArgs(args: readonly string[]): LogFormat {
  let format: LogFormat = 'text';
  args.forEach((arg, i) => {
    const value =
      arg === '--log-format' ? args[i + 1] : arg.startsWith('--log-format=') ? arg.slice(13) : undefined;
    if (value === 'json' || value === 'text') format = value;
  });
  return format;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
