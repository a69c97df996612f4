/** `run-batch <input>`: resolve the options, start the emulator if asked, run, print the summary. */
import { createClient } from '../bedrock/client.js';
import { type Emulator, startEmulator } from '../emulator/server.js';
import { type RawOptions, resolveSpec } from '../job/resolve.js';
import { runBatch } from '../run/run-batch.js';
import type { CommandIO } from './io.js';
import { formatSummary } from './print.js';

/** Any credentials do for the emulator; these keep the real ones out of its way. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' };

export async function runCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  const spec = resolveSpec(raw, { cwd: io.cwd, env: io.env });
  let emulator: Emulator | undefined;
  try {
    let client: ReturnType<typeof createClient> | undefined;
    if (spec.emulate) {
      emulator = await startEmulator({ port: 0 });
      client = createClient({
        region: spec.region,
        endpoint: emulator.url,
        maxSockets: spec.concurrency,
        credentials: EMULATOR_CREDENTIALS,
      });
    }
    const summary = await runBatch(spec, {
      env: io.env,
      cwd: io.cwd,
      onWarning: (message) => io.stderr(`run-batch: warning: ${message}\n`),
      ...(client ? { client } : {}),
    });
    io.stderr(formatSummary(summary, io.cwd));
    return summary.exitCode;
  } finally {
    await emulator?.close();
  }
}
