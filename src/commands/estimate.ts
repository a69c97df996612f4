/**
 * `run-batch estimate <input>`: validate every row, count input tokens (locally, or exactly with
 * `--count-tokens api`), print the cost range and the shortest possible duration. Calls no model.
 */
import type { Options } from 'yargs';
import { bedrockCounter } from '../cost/count-tokens.js';
import { estimateJob } from '../cost/estimate.js';
import { estimateJson, estimateText } from '../cost/estimate-text.js';
import { loadPriceTable } from '../cost/load.js';
import { displayPath } from '../errors.js';
import { type RawOptions, resolveSpec } from '../job/resolve.js';
import { oneOf, wholeNumber } from '../job/values.js';
import { openClient } from '../run/client.js';
import type { CommandIO } from './io.js';

/** Estimate's own flags, on top of the run options; values stay raw strings, checked below. */
export const estimateOptions: Record<string, Options> = {
  'count-tokens': {
    type: 'string',
    group: 'Estimate:',
    choices: ['local', 'api'],
    default: 'local',
    describe: 'Count input tokens locally (4 characters per token) or exactly with Bedrock CountTokens',
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
    ...(spec.rpm === undefined ? {} : { rpm: spec.rpm }),
    ...(spec.tpm === undefined ? {} : { tpm: spec.tpm }),
  };
  const prices = loadPriceTable(spec.pricing, raw.pricing === undefined ? undefined : String(raw.pricing));
  const onWarning = (message: string) => io.stderr(`run-batch: warning: ${message}\n`);
  const opened = countTokens === 'api' ? await openClient(spec, io.env) : undefined;
  try {
    const counter = opened ? bedrockCounter(opened.client, displayPath(spec.input, io.cwd)) : undefined;
    const estimate = await estimateJob(spec, prices, options, {
      cwd: io.cwd,
      onWarning,
      ...(counter ? { counter } : {}),
    });
    io.stdout(format === 'json' ? estimateJson(estimate) : estimateText(estimate));
    return 0;
  } finally {
    await opened?.close();
  }
}
