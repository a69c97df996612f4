/** `run-batch emulator`: the Bedrock Runtime emulator in the foreground until SIGINT/SIGTERM. */

import { type EmulatorOptions, startEmulator } from '../emulator/server.js';
import { RunBatchError } from '../errors.js';
import { resolveOrThrow } from '../job/table.js';
import { EMULATOR_OPTIONS } from './emulator-options.js';
import type { CommandIO } from './io.js';

const ctx = { cwd: '.', env: {} };
const RUNTIME = EMULATOR_OPTIONS.filter((def) => def.group === 'Emulator');
const BATCH = EMULATOR_OPTIONS.filter(
  (def) => def.group === 'Emulator batch' || def.group === 'Emulator guardrails',
);

/** The batch and guardrail flags checked, as EmulatorOptions members. */
export function batchEmulatorSettings(raw: Record<string, unknown>): EmulatorOptions {
  return resolveOrThrow(BATCH, raw, ctx);
}

/** Checks the raw flag values once, with messages that quote what was given. */
export function emulatorSettings(raw: Record<string, unknown>): EmulatorOptions {
  return resolveOrThrow(RUNTIME, raw, ctx);
}

export async function emulatorCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  // Every bad value at once; then the two halves, as the server takes them.
  resolveOrThrow(EMULATOR_OPTIONS, raw, ctx);
  const settings = emulatorSettings(raw);
  const batch = batchEmulatorSettings(raw);
  const emulator = await startEmulator({ ...settings, ...batch }).catch((error: NodeJS.ErrnoException) => {
    // A port in use or an address not on this machine is the user's to fix, not a crash.
    if (error.code === 'EADDRINUSE' || error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES') {
      throw new RunBatchError(
        'USAGE',
        `--port ${settings.port} on --host ${settings.host}: ${error.message}`,
      );
    }
    // A host name that does not resolve (or `999.1.1.1`, which is no IP address and so is looked up
    // as a name) is a typo, not a crash.
    if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' || error.code === 'EAI_FAIL') {
      throw new RunBatchError(
        'USAGE',
        `--host ${settings.host}: no such address on this machine (${error.code}); give an IP address such as 127.0.0.1 or a host name that resolves`,
      );
    }
    throw error;
  });
  const limit = (n = 0) => (n > 0 ? String(n) : 'unlimited');
  io.stdout(`Bedrock Runtime emulator listening (HTTP/1.1 and h2c) on ${emulator.url}\n`);
  io.stdout(
    `rpm ${limit(settings.rpm)}, tpm ${limit(settings.tpm)} per model; latency ${settings.latencyMs} ms + ` +
      `${settings.msPerToken} ms/token; fail rate ${settings.failRate} (seed ${settings.seed})\n`,
  );
  io.stdout(`export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url}\n`);
  // The batch control plane and S3 answer on the same port.
  io.stdout(`export AWS_ENDPOINT_URL_BEDROCK=${emulator.url}\n`);
  io.stdout(`export AWS_ENDPOINT_URL_S3=${batch.s3Endpoint ?? emulator.url}\n`);
  await new Promise<void>((resolve) => io.onSignal(() => resolve()));
  await emulator.close();
  return 0;
}
