/**
 * Reports a run while it goes, on stderr, in one of four ways:
 * - text on a terminal: a live bar (rows done/total, rows/s, ETA, tokens, cost, throttles, failed);
 * - text off a terminal (cron, a pipe): a plain line every PLAIN_INTERVAL_MS, then the summary;
 * - json: one object per line for every event: progress at the same pace, warnings, the summary;
 * - quiet: errors only. Progress and warnings are dropped, and the summary is printed only when the
 *   run did not end with exit 0 (failed rows, stopped early): for cron, silence means success.
 * It writes only through the `write` it is given; the CLI redacts that and owns the console.
 */
import type { LogOptions } from '../job/resolve.js';
import type { Progress, RunSummary } from '../run/summary.js';
import { LiveBar } from './bar.js';
import { jsonLine, progressFields } from './events.js';
import { barText, plainLine, rates } from './format.js';

/** How often a progress line is written off a terminal (and in json). */
export const PLAIN_INTERVAL_MS = 5000;

export interface ReporterOptions extends LogOptions {
  /** Whether stderr is a terminal: the live bar, in the text format. */
  isTTY: boolean;
  write: (text: string) => void;
  /** The summary as text (the run command's wording), for the text format. */
  summaryText: (summary: RunSummary) => string;
  /** Width of the terminal, for the bar. */
  columns?: () => number | undefined;
  /** @default Date.now */
  now?: () => number;
  /** @default PLAIN_INTERVAL_MS */
  intervalMs?: number;
}

export interface Reporter {
  /** After every finished row: keeps the numbers; the bar or the next line shows them. */
  progress(progress: Progress): void;
  warning(message: string): void;
  /** A warning --quiet does not drop: where one of the user's files went. */
  notice(message: string): void;
  /** Where the run stands beyond rows (batch jobs): printed like a warning, but not called one. */
  info(message: string): void;
  /** Stops the bar or the line timer and prints the summary. */
  finish(summary: RunSummary): void;
  /** Stops the bar or the line timer, summary or not (a run that threw). Idempotent. */
  close(): void;
}

export function createReporter(options: ReporterOptions): Reporter {
  const { write, format, quiet } = options;
  const now = options.now ?? Date.now;
  const started = now();
  let latest: Progress | undefined;
  const current = (p: Progress) => rates(p, now() - started);

  const bar =
    format === 'text' && !quiet && options.isTTY
      ? new LiveBar(
          write,
          (columns) => (latest ? barText(latest, current(latest), columns) : ''),
          options.columns,
        )
      : undefined;

  let timer: NodeJS.Timeout | undefined;
  if (!bar && !quiet) {
    timer = setInterval(() => {
      if (!latest) return; // nothing finished yet: no numbers to show
      const r = current(latest);
      write(
        format === 'json'
          ? jsonLine('progress', now(), progressFields(latest, r))
          : plainLine(latest, r, now()),
      );
    }, options.intervalMs ?? PLAIN_INTERVAL_MS);
    // The run's own work keeps the process alive; the reporter must never be the reason it stays.
    timer.unref();
  }

  const close = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    bar?.stop();
  };

  // Methods are handed around unbound (onWarning: reporter.warning): no `this` in them.
  const notice = (message: string) => {
    if (format === 'json') write(jsonLine('warning', now(), { message }));
    else if (bar) bar.log(`run-batch: warning: ${message}\n`);
    else write(`run-batch: warning: ${message}\n`);
  };
  return {
    progress(progress) {
      latest = progress;
      bar?.show(progress.total);
    },
    info(message) {
      if (quiet) return;
      if (format === 'json') write(jsonLine('info', now(), { message }));
      else if (bar) bar.log(`run-batch: ${message}\n`);
      else write(`run-batch: ${message}\n`);
    },
    warning(message) {
      if (!quiet) notice(message);
    },
    notice,
    finish(summary) {
      close();
      if (quiet && (summary.exitCode === 0 || summary.exitCode === 5)) return; // 5: jobs still running, as asked
      write(format === 'json' ? jsonLine('summary', now(), summary) : options.summaryText(summary));
    },
    close,
  };
}
