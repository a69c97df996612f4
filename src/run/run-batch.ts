/**
 * runBatch: the whole job as a function, read as one line: plan -> engine -> sink. Take the lock,
 * plan every row (nothing is sent if one is bad), pick up the results file, hand the rows still to
 * do to the engine, whose finished rows the sink writes the moment they complete, and return the
 * summary, also written to `<output>.summary.json` on every exit path.
 * The CLI prints it; tests call this directly.
 */
import { displayPath, ExitCode, RunBatchError } from '../errors.js';
import type { JobSpec } from '../job/spec.js';
import { type Watch, watchRun } from '../metrics/watch.js';
import { acquireLock, isDevice, realOutput } from '../output/lock.js';
import { redactor } from '../redact.js';
import { isRemoteRun, runRemote } from '../remote/remote-run.js';
import type { RunDeps } from './deps.js';
import { execute } from './execute.js';
import { type RunSummary, Tally } from './summary.js';

export type { Progress } from './summary.js';
export type { RunDeps };

import { summaryPath, writeSummaryFile } from './summary-file.js';

export async function runBatch(given: JobSpec, deps: RunDeps = {}): Promise<RunSummary> {
  // An S3 input or output is made local at the edges (src/remote); the run between is the same.
  return isRemoteRun(given) ? runRemote(given, deps, runLocal) : runLocal(given, deps);
}

async function runLocal(given: JobSpec, deps: RunDeps): Promise<RunSummary> {
  const startedAt = new Date();
  // One file, one lock: everything follows the results file's real path (a symlink stays a link,
  // to an up-to-date file; a second run through another path finds the lock: exit 4).
  const real = realOutput(given.output);
  const spec = real === given.output ? given : { ...given, output: real };
  const redact = redactor(deps.env ?? process.env);
  const cwd = deps.cwd ?? process.cwd();
  // Taken first: another run's files (results, summary) are never touched, and a second run on
  // the same output stops at once (exit 4) without reading anything.
  const lock = acquireLock(spec.output, displayPath(spec.output, cwd), deps.onWarning);
  // --metrics-file and --otel, from here on: a run stopped by the lock (exit 4) leaves the file to
  // the run that holds it.
  let watch: Watch<RunDeps> | undefined;
  try {
    watch = await watchRun(spec, deps, startedAt);
    const summary = await execute(spec, watch.deps, startedAt);
    saveSummary(spec.output, summary, redact, deps);
    await watch.end(summary);
    return summary;
  } catch (error) {
    const exitCode = error instanceof RunBatchError ? error.exitCode : ExitCode.Internal;
    const failed = new Tally().summarize({
      input: spec.input,
      output: spec.output,
      total: 0,
      startedAt,
      finishedAt: new Date(),
      exitCode,
    });
    saveSummary(spec.output, { ...failed, error: (error as Error).message }, redact, deps);
    await watch?.end(failed);
    throw error;
  } finally {
    lock.release();
  }
}

/** Written on every exit path; a summary that cannot be written is a warning, not a failed run. */
function saveSummary(output: string, summary: object, redact: (text: string) => string, deps: RunDeps): void {
  // -o /dev/null: no /dev/null.summary.json (the summary is still printed).
  if (isDevice(output)) return;
  try {
    writeSummaryFile(output, summary, redact);
  } catch (error) {
    deps.onWarning?.(`could not write ${summaryPath(output)}: ${(error as Error).message}`);
  }
}
