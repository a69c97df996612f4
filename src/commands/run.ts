/** `run-batch <input>`: resolve the options (flags over a job file), run, report progress and the summary. */
import { type Job, loadJob } from '../job/file.js';
import { severalModels, withModelInOutput } from '../job/models.js';
import {
  type LogOptions,
  type RawOptions,
  resolveLogOptions,
  resolveRun as resolveRunOptions,
} from '../job/resolve.js';
import type { JobSpec } from '../job/spec.js';
import { createReporter, PLAIN_INTERVAL_MS, type Reporter } from '../progress/reporter.js';
import { runBatch } from '../run/run-batch.js';
import type { CommandIO } from './io.js';
import { formatSummary } from './print.js';

export async function runCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  const job = loadJob(raw, io.cwd);
  // -m a,b,c: each model its own run, together (run-models.ts).
  if (severalModels(job.raw)) {
    const { runModelsCommand } = await import('./run-models.js');
    return runModelsCommand(job, io);
  }
  const { spec, log } = resolveRun(job, io);
  const reporter = runReporter(log, io);
  const stops = stopSignals(io, reporter);
  try {
    const summary = await runBatch(spec, {
      env: io.env,
      cwd: io.cwd,
      softStop: stops.soft,
      hardStop: stops.hard,
      onProgress: reporter.progress,
      onWarning: reporter.warning,
      onMoved: reporter.notice,
      onInfo: reporter.info,
      // Past any --quiet: this is a paid-for answer that found nowhere else to go.
      onUnwritten: (record) => io.stderr(`run-batch: ${record}\n`),
    });
    reporter.finish(summary);
    return summary.exitCode;
  } finally {
    stops.unsubscribe();
    reporter.close();
  }
}

/**
 * First stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT): stop admitting rows, let calls in flight
 * finish (--grace-period). A second SIGINT: cut them off now. Either way what finished is written
 * and the lock released.
 */
export function stopSignals(
  io: CommandIO,
  reporter: Pick<Reporter, 'warning'>,
): { soft: AbortSignal; hard: AbortSignal; unsubscribe: () => void } {
  const soft = new AbortController();
  const hard = new AbortController();
  const unsubscribe = io.onSignal((signal) => {
    if (!soft.signal.aborted) {
      soft.abort(`interrupted by ${signal}`);
      reporter.warning(
        `${signal}: finishing the calls in flight (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGINT'} again to stop at once)`,
      );
    } else if (signal === 'SIGINT') {
      hard.abort(`interrupted by ${signal} twice`);
    }
  });
  return { soft: soft.signal, hard: hard.signal, unsubscribe };
}

/**
 * The flags over the --job file's keys, resolved; a bad value from the file is named by file and
 * key. The log format is read first, so the CLI writes any later error in it; every bad value,
 * its own included, is then reported at once.
 */
function resolveRun(job: Job, io: CommandIO): { spec: JobSpec; log: LogOptions } {
  setLogFormat(job, io);
  return job.check(() => resolveRunOptions(withModelInOutput(job.raw), { cwd: io.cwd, env: io.env }));
}

export function setLogFormat(job: Job, io: CommandIO): void {
  try {
    io.setLogFormat?.(resolveLogOptions(job.raw).format);
  } catch {
    // reported with the rest when the options are resolved
  }
}

/** Progress, warnings and the summary on stderr: a bar, plain lines, JSON lines, or errors only. */
export function runReporter(log: LogOptions, io: CommandIO): Reporter {
  // RUN_BATCH_PROGRESS_INTERVAL_MS shortens the plain-line interval (for tests, and the impatient).
  const ms = Number(io.env.RUN_BATCH_PROGRESS_INTERVAL_MS);
  return createReporter({
    ...log,
    isTTY: io.isTTY,
    write: io.stderr,
    summaryText: (summary) => formatSummary(summary, io.cwd),
    intervalMs: Number.isInteger(ms) && ms >= 50 ? ms : PLAIN_INTERVAL_MS,
    ...(io.columns ? { columns: io.columns } : {}),
  });
}
