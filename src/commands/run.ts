/** `run-batch <input>`: resolve the options, open the client (or the emulator), run, print the summary. */
import { loadJob } from '../job/file.js';
import { type LogOptions, type RawOptions, resolveLogOptions, resolveSpec } from '../job/resolve.js';
import type { JobSpec } from '../job/spec.js';
import { createReporter, PLAIN_INTERVAL_MS, type Reporter } from '../progress/reporter.js';
import { runBatch } from '../run/run-batch.js';
import { openClient } from './client.js';
import type { CommandIO } from './io.js';
import { formatSummary } from './print.js';

export async function runCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  const { spec, log } = resolveRun(raw, io);
  const { client, close } = await openClient(spec, io.env);
  const reporter = runReporter(log, io);
  try {
    const summary = await runBatch(spec, {
      client,
      env: io.env,
      cwd: io.cwd,
      onProgress: reporter.progress,
      onWarning: reporter.warning,
    });
    reporter.finish(summary);
    return summary.exitCode;
  } finally {
    reporter.close();
    await close();
  }
}

/**
 * The flags over the --job file's keys, resolved; a bad value from the file is named by file and
 * key. The log format is settled first, so the CLI writes any later error in it.
 */
function resolveRun(raw: RawOptions, io: CommandIO): { spec: JobSpec; log: LogOptions } {
  const job = loadJob(raw, io.cwd);
  const log = job.check(() => resolveLogOptions(job.raw));
  io.setLogFormat?.(log.format);
  return { spec: job.check(() => resolveSpec(job.raw, { cwd: io.cwd, env: io.env })), log };
}

/** Progress, warnings and the summary on stderr: a bar, plain lines, JSON lines, or errors only. */
function runReporter(log: LogOptions, io: CommandIO): Reporter {
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
