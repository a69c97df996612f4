/** `run-batch <input>`: resolve the options, open the client (or the emulator), run, print the summary. */
import { type RawOptions, resolveSpec } from '../job/resolve.js';
import { runBatch } from '../run/run-batch.js';
import { openClient } from './client.js';
import type { CommandIO } from './io.js';
import { formatSummary } from './print.js';

export async function runCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  const spec = resolveSpec(raw, { cwd: io.cwd, env: io.env });
  const { client, close } = await openClient(spec, io.env);
  try {
    const summary = await runBatch(spec, {
      client,
      env: io.env,
      cwd: io.cwd,
      onWarning: (message) => io.stderr(`run-batch: warning: ${message}\n`),
    });
    io.stderr(formatSummary(summary, io.cwd));
    return summary.exitCode;
  } finally {
    await close();
  }
}
