/** `run-batch <input>`: resolve the options, open the client (or the emulator), run, print the summary. */
import { type RawOptions, resolveSpec } from '../job/resolve.js';
import { runBatch } from '../run/run-batch.js';
import { openClient } from './client.js';
import type { CommandIO } from './io.js';
import { formatSummary } from './print.js';

export async function runCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  const spec = resolveSpec(raw, { cwd: io.cwd, env: io.env });
  // First SIGINT/SIGTERM: stop admitting rows, let calls in flight finish (--grace-period).
  // A second SIGINT: cut them off now. Either way what finished is written and the lock released.
  const stop = new AbortController();
  const abort = new AbortController();
  const unsubscribe = io.onSignal((signal) => {
    if (!stop.signal.aborted) {
      stop.abort(`interrupted by ${signal}`);
      io.stderr(`run-batch: ${signal}: finishing the calls in flight (again to stop at once)\n`);
    } else if (signal === 'SIGINT') {
      abort.abort(`interrupted by ${signal} twice`);
    }
  });
  try {
    const { client, close } = await openClient(spec, io.env);
    try {
      const summary = await runBatch(spec, {
        client,
        env: io.env,
        cwd: io.cwd,
        signal: stop.signal,
        abortSignal: abort.signal,
        onWarning: (message) => io.stderr(`run-batch: warning: ${message}\n`),
      });
      io.stderr(formatSummary(summary, io.cwd));
      return summary.exitCode;
    } finally {
      await close();
    }
  } finally {
    unsubscribe();
  }
}
