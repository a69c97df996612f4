/** `run-batch <input>`: resolve the options, open the client (or the emulator), run, print the summary. */
import { loadJob } from '../job/file.js';
import { type RawOptions, resolveLogOptions, resolveSpec } from '../job/resolve.js';
import { createReporter, PLAIN_INTERVAL_MS } from '../progress/reporter.js';
import { runBatch } from '../run/run-batch.js';
import { openClient } from './client.js';
import type { CommandIO } from './io.js';

export async function runCommand(flags: RawOptions, io: CommandIO): Promise<number> {
  // Flags over the --job file's keys; a bad value from the file is named by file and key.
  const job = loadJob(flags, io.cwd);
  const log = job.check(() => resolveLogOptions(job.raw));
  io.setLogFormat?.(log.format);
  const spec = job.check(() => resolveSpec(job.raw, { cwd: io.cwd, env: io.env }));
  const { client, close } = await openClient(spec, io.env);
  const reporter = createReporter({
    ...log,
    isTTY: io.isTTY,
    write: io.stderr,
    cwd: io.cwd,
    intervalMs: progressInterval(io.env),
    ...(io.columns ? { columns: io.columns } : {}),
  });
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

/** RUN_BATCH_PROGRESS_INTERVAL_MS shortens the plain-line interval (tests; impatient people). */
function progressInterval(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.RUN_BATCH_PROGRESS_INTERVAL_MS);
  return Number.isInteger(ms) && ms >= 50 ? ms : PLAIN_INTERVAL_MS;
}
