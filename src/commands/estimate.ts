/**
 * `run-batch estimate <input>`: validate every row, count input tokens (locally, or exactly with
 * `--count-tokens api`), print the cost range and the shortest possible duration. Calls no model.
 */
import type { Options } from 'yargs';
import { countTokensTask } from '../bedrock/count-tokens.js';
import { loadPriceTable } from '../cost/load.js';
import { displayPath } from '../errors.js';
import { checkBatchSize, chooseMode } from '../job/batch-options.js';
import { loadJob } from '../job/file.js';
import { type RawOptions, resolveSpec } from '../job/resolve.js';
import { oneOf, wholeNumber } from '../job/values.js';
import { estimateJob } from '../plan/estimate.js';
import { openClient } from '../run/client.js';
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

/**
 * Estimate sends nothing: batch mode needs no bucket or role to be estimated. Stand-ins fill what
 * was not given, so the option checks (which require both to run) pass; nothing ever uses them.
 */
function sendsNothing(raw: RawOptions): RawOptions {
  const batch = raw.mode === 'batch' || raw.mode === 'auto' || raw.cancel === true;
  if (!batch) return raw;
  return {
    ...raw,
    s3: raw.s3 ?? 's3://estimate-sends-nothing/',
    'role-arn': raw['role-arn'] ?? 'arn:aws:iam::000000000000:role/estimate-sends-nothing',
  };
}

export async function estimateCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  // The same job file and flags as `run`, resolved the same way.
  const job = loadJob(raw, io.cwd);
  const spec = job.check(() => resolveSpec(sendsNothing(job.raw), { cwd: io.cwd, env: io.env }));
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
  try {
    const estimate = await estimateJob(spec, prices, options, {
      cwd: io.cwd,
      onWarning,
      signal: stop.signal,
      ...(opened ? { counter: countTokensTask(opened.client) } : {}),
    });
    // The minimum as `run` checks it (every row is to run: estimate reads no results file).
    if (spec.batch.mode === 'batch') checkBatchSize(estimate.rows, spec.batch.minRecords);
    const batch =
      chooseMode(spec.batch.mode, estimate.rows, spec.batch.minRecords) === 'batch'
        ? { timeoutHours: spec.batch.timeoutHours ?? 24 }
        : undefined;
    io.stdout(format === 'json' ? estimateJson(estimate, batch) : estimateText(estimate, batch));
    return 0;
  } finally {
    unsubscribe();
    await opened?.close();
  }
}
