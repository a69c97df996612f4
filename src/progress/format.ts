/**
 * What a progress report says, as pure functions of the run's Progress and the time elapsed: the
 * rates (rows/s and ETA are computed here, from elapsed time, not by runBatch), the text of the
 * live bar and of the plain lines written off a terminal.
 */
import { dollars, grouped, picoFromUsd } from '../cost/money.js';
import type { Progress } from '../run/run-batch.js';

export interface Rates {
  /** Rows finished, those kept from an earlier run included (never more than total). */
  finished: number;
  /** 0 to 100. */
  percent: number;
  /** Rows this run finished, per second since it started. */
  rowsPerSecond: number;
  /** Seconds until the last row at the rate so far; null while there is no rate yet. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

export function rates(p: Progress, elapsedMs: number): Rates {
  // `done` counts the rows this run finished; `skipped` the ones an earlier run already did.
  // `reused` rows came from the answer ledger, with no call.
  const finished = Math.min(p.total, p.done + p.skipped + (p.reused ?? 0));
  const rowsPerSecond = elapsedMs > 0 ? (p.done * 1000) / elapsedMs : 0;
  const remaining = p.total - finished;
  return {
    finished,
    percent: p.total === 0 ? 100 : (finished / p.total) * 100,
    rowsPerSecond,
    etaSeconds: remaining === 0 ? 0 : rowsPerSecond > 0 ? remaining / rowsPerSecond : null,
    elapsedSeconds: elapsedMs / 1000,
  };
}

/** `120/1,000 rows | 24.0 rows/s | ETA 36s | tokens 5,432 in, 6,543 out | $0.0123 | 2 throttled | 1 failed` */
export function statsText(p: Progress, r: Rates): string {
  return [
    `${count(r.finished)}/${count(p.total)} rows`,
    `${r.rowsPerSecond.toFixed(1)} rows/s`,
    `ETA ${duration(r.etaSeconds)}`,
    `tokens ${count(p.inputTokens)} in, ${count(p.outputTokens)} out`,
    p.costUsd === null ? 'cost unknown' : dollars(picoFromUsd(p.costUsd)),
    `${count(p.throttles)} throttled`,
    `${count(p.error)} failed`,
  ].join(' | ');
}

/**
 * The live bar on a terminal, fitted to its width: `██████░░░░ 50% 120/240 rows | 24.0 rows/s |
 * ETA 5s | 9,975 tokens | $0.0123 | 2 throttled` (and `N failed` once a row failed). The numbers
 * come first; the bar gets the room left, and is left out when there is too little.
 */
export function barText(p: Progress, r: Rates, columns = 80): string {
  const stats = [
    `${count(r.finished)}/${count(p.total)} rows`,
    `${r.rowsPerSecond.toFixed(1)} rows/s`,
    `ETA ${duration(r.etaSeconds)}`,
    `${count(p.inputTokens + p.outputTokens)} tokens`,
    p.costUsd === null ? 'cost unknown' : dollars(picoFromUsd(p.costUsd)),
    `${count(p.throttles)} throttled`,
    ...(p.error > 0 ? [`${count(p.error)} failed`] : []),
  ].join(' | ');
  const text = `${percent(r)} ${stats}`;
  const width = Math.min(BAR_WIDTH, columns - text.length - 2);
  if (width < MIN_BAR_WIDTH) return text;
  const filled = Math.min(width, Math.floor((r.percent / 100) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${text}`;
}

const BAR_WIDTH = 30;
const MIN_BAR_WIDTH = 10;

/** One line off a terminal (cron logs): `2025-06-01T02:15:05Z progress 12% | 120/1,000 rows | ...`. */
export function plainLine(p: Progress, r: Rates, now: number): string {
  return `${isoSeconds(now)} progress ${percent(r)} | ${statsText(p, r)}\n`;
}

/**
 * `42s`, `3m05s`, `2h07m`; `--` when unknown. The one duration format of the CLI (progress, ETA,
 * summaries, estimates); `tenths` shows short ones as `6.3s`.
 */
export function duration(seconds: number | null, options: { tenths?: boolean } = {}): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  if (options.tenths && seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
}

export function isoSeconds(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Floored, so 100% means every row is finished, never 99.6% rounded up.
function percent(r: Rates): string {
  return `${Math.floor(r.percent)}%`;
}

const count = grouped;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
