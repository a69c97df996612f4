/**
 * `run-batch estimate <input>`: validate every row, count input tokens (locally, or exactly with
 * `--count-tokens api`), print the cost range and the shortest possible duration. Calls no model.
 */
import type { Options } from 'yargs';
import { checkCredentials, createClient } from '../bedrock/client.js';
import { bedrockCounter } from '../cost/count-tokens.js';
import { displayPath, estimateJob } from '../cost/estimate.js';
import { estimateJson, estimateText } from '../cost/estimate-text.js';
import { loadPriceTable } from '../cost/load.js';
import { type Emulator, startEmulator } from '../emulator/server.js';
import { type RawOptions, resolveSpec } from '../job/resolve.js';
import { oneOf, wholeNumber } from '../job/values.js';
import type { CommandIO } from './io.js';

/** Any credentials do for the emulator (as in `run`). */
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' };

/** Estimate's own flags, on top of the run options; values stay raw strings, checked below. */
export const estimateOptions: Record<string, Options> = {
  'count-tokens': {
    type: 'string',
    group: 'Estimate:',
    choices: ['local', 'api'],
    default: 'local',
    describe: 'Count input tokens locally (4 characters per token) or exactly with Bedrock CountTokens',
  },
  rpm: {
    type: 'string',
    group: 'Estimate:',
    describe: 'Requests per minute the run may make (duration bound)',
  },
  tpm: {
    type: 'string',
    group: 'Estimate:',
    describe: 'Tokens per minute the run may reserve, input + max_tokens (duration bound)',
  },
  'assume-latency-ms': {
    type: 'string',
    group: 'Estimate:',
    default: '1000',
    describe: 'Least time one call takes, for the concurrency bound',
  },
  format: {
    type: 'string',
    group: 'Estimate:',
    choices: ['text', 'json'],
    default: 'text',
    describe: 'Output format',
  },
};

export async function estimateCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  const spec = resolveSpec(raw, { cwd: io.cwd, env: io.env });
  const countTokens = oneOf('count-tokens', raw['count-tokens'] ?? 'local', ['local', 'api'] as const);
  const format = oneOf('format', raw.format ?? 'text', ['text', 'json'] as const);
  const options = {
    latencyMs: wholeNumber('assume-latency-ms', raw['assume-latency-ms'] ?? '1000', 0),
    ...(raw.rpm === undefined ? {} : { rpm: wholeNumber('rpm', raw.rpm, 1) }),
    ...(raw.tpm === undefined ? {} : { tpm: wholeNumber('tpm', raw.tpm, 1) }),
  };
  const prices = loadPriceTable(spec.pricing, raw.pricing === undefined ? undefined : String(raw.pricing));
  const onWarning = (message: string) => io.stderr(`run-batch: warning: ${message}\n`);
  let emulator: Emulator | undefined;
  try {
    let counter: ReturnType<typeof bedrockCounter> | undefined;
    if (countTokens === 'api') {
      if (spec.emulate) emulator = await startEmulator({ port: 0 });
      const client = createClient({
        region: spec.region,
        maxSockets: spec.concurrency,
        ...(spec.profile === undefined ? {} : { profile: spec.profile }),
        ...(emulator ? { endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS } : {}),
        ...(!emulator && spec.endpoint !== undefined ? { endpoint: spec.endpoint } : {}),
      });
      if (!emulator) await checkCredentials(client, io.env);
      counter = bedrockCounter(client, displayPath(spec.input, io.cwd));
    }
    const estimate = await estimateJob(spec, prices, options, {
      cwd: io.cwd,
      onWarning,
      ...(counter ? { counter } : {}),
    });
    io.stdout(format === 'json' ? estimateJson(estimate) : estimateText(estimate));
    return 0;
  } finally {
    await emulator?.close();
  }
}
