/** `run-batch emulator`: the Bedrock Runtime emulator in the foreground until SIGINT/SIGTERM. */

import type { Options } from 'yargs';
import { startEmulator } from '../emulator/server.js';
import { text, wholeNumber } from '../job/values.js';
import type { CommandIO } from './io.js';

/** The emulator's flags; values stay raw strings, checked below. */
export const emulatorOptions: Record<string, Options> = {
  port: { type: 'string', describe: 'Port to listen on (0 picks a free one)', default: '4010' },
  host: { type: 'string', describe: 'Address to listen on', default: '127.0.0.1' },
  'latency-ms': { type: 'string', describe: 'Base latency of every call', default: '0' },
  'ms-per-token': { type: 'string', describe: 'Extra latency per output token', default: '0' },
};

export async function emulatorCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  const emulator = await startEmulator({
    port: wholeNumber('port', raw.port ?? '4010', 0, 65535),
    host: text('host', raw.host ?? '127.0.0.1'),
    latencyMs: wholeNumber('latency-ms', raw['latency-ms'] ?? '0', 0),
    msPerToken: wholeNumber('ms-per-token', raw['ms-per-token'] ?? '0', 0),
  });
  io.stdout(`Bedrock Runtime emulator listening (HTTP/1.1 and h2c) on ${emulator.url}\n`);
  io.stdout(`export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url}\n`);
  await new Promise<void>((resolve) => io.onSignal(() => resolve()));
  await emulator.close();
  return 0;
}
