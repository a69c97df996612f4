/**
 * `run-batch estimate <input>`: validate every row, count input tokens (locally, or exactly with
 * `--count-tokens api`), print the cost range and the shortest possible duration. Calls no model.
 */
import type { Options } from 'yargs';
import { countTokensTask } from '../bedrock/count-tokens.js';
import { loadPriceTable } from '../cost/load.js';
import { displayPath } from '../errors.js';
import { loadJob } from '../job/file.js';
import { type RawOptions, resolveSpec } from '../job/resolve.js';
import { oneOf, wholeNumber } from '../job/values.js';
import { estimateJob } from '../plan/estimate.js';
import type { PlannedRow } from '../plan/plan.js';
import { openClient } from '../run/client.js';
import { RunLedger } from '../run/run-ledger.js';
import { estimateJson, estimateText } from './estimate-text.js';
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
  // The same job file and flags as `run`, resolved the same way.
  const job = loadJob(raw, io.cwd);
  const spec = job.check(() => resolveSpec(job.raw, { cwd: io.cwd, env: io.env }));
  const countTokens = oneOf('count-tokens', raw['count-tokens'] ?? 'local', ['local', 'api'] as const);
  const format = oneOf('format', raw.format ?? 'text', ['text', 'json'] as const);
  const options = {
    latencyMs: wholeNumber('assume-latency-ms', raw['assume-latency-ms'] ?? '1000', 0),
    ...(spec.rpm === undefined ? {} : { rpm: spec.rpm }),
    ...(spec.tpm === undefined ? {} : { tpm: spec.tpm }),
  };
  const prices = loadPriceTable(spec.pricing, spec.pricing && displayPath(spec.pricing, io.cwd));
  const onWarning = (message: string) => io.stderr(`run-batch: warning: ${message}\n`);
  const stop = new AbortController();
  const unsubscribe = io.onSignal((signal) => stop.abort(`interrupted by ${signal}`));
  const opened = countTokens === 'api' ? await openClient(spec, io.env) : undefined;
  // Rows the answer ledger already answers cost nothing: left out, and counted apart.
  const ledger = RunLedger.forEstimate(spec, onWarning);
  try {
    const estimate = await estimateJob(spec, prices, options, {
      cwd: io.cwd,
      onWarning,
      signal: stop.signal,
      ...(ledger ? { answered: (row: PlannedRow) => ledger.lookup(row) !== undefined } : {}),
      ...(opened ? { counter: countTokensTask(opened.client) } : {}),
    });
    io.stdout(format === 'json' ? estimateJson(estimate) : estimateText(estimate));
    return 0;
  } finally {
    ledger?.close();
    unsubscribe();
    await opened?.close();
  }
}
