/**
 * `run-batch estimate <input>`: validate every row, count input tokens (locally, or exactly with
 * `--count-tokens api`), print the cost range and the shortest possible duration. Calls no model.
 */
import { countTokensTask } from '../bedrock/count-tokens.js';
import { isProfileArn } from '../bedrock/inference-profile-arn.js';
import { loadPriceTable } from '../cost/load.js';
import { displayPath } from '../errors.js';
import { checkBatchSize, chooseMode } from '../job/batch-options.js';
import { loadJob } from '../job/file.js';
import { severalModels } from '../job/models.js';
import { onDemandOnlyNote } from '../job/ondemand-only.js';
import { type RawOptions, resolveRun } from '../job/resolve.js';
import { estimateJob } from '../plan/estimate.js';
import type { PlannedRow } from '../plan/plan.js';
import { inputCopyOf } from '../remote/local-copy.js';
import { isS3Uri } from '../remote/uri.js';
import { openClient } from '../run/client.js';
import { fromLedger } from '../run/reuse-rows.js';
import { RunLedger } from '../run/run-ledger.js';
import { etagLookup } from '../run/s3-etags.js';
import { estimateModels } from './estimate-models.js';
import { ESTIMATE_OPTIONS, type EstimateSettings } from './estimate-options.js';
import { estimateJson, estimateText } from './estimate-text.js';
import type { CommandIO } from './io.js';

export async function estimateCommand(raw: RawOptions, io: CommandIO): Promise<number> {
  // The same job file and flags as `run`, resolved the same way.
  const job = loadJob(raw, io.cwd);
  // -m a,b,c: each model's estimate in turn (estimate-models.ts).
  if (severalModels(job.raw)) return estimateModels(job.raw, io, estimateCommand);
  // Estimate's own options are checked with the run's, so every bad value is reported at once.
  const { spec, values } = job.check(() =>
    resolveRun(job.raw, { cwd: io.cwd, env: io.env }, 'estimate', ESTIMATE_OPTIONS),
  );
  // An S3 object, prefix or glob: read as a run reads it, named by its URI (src/remote/local-copy.ts).
  const label = isS3Uri(spec.input) ? spec.input : undefined;
  spec.input = await inputCopyOf(spec.input, io.env);
  const { countTokens, format, latencyMs } = values.estimate as EstimateSettings;
  const options = {
    latencyMs,
    ...(spec.rpm === undefined ? {} : { rpm: spec.rpm }),
    ...(spec.tpm === undefined ? {} : { tpm: spec.tpm }),
  };
  const prices = loadPriceTable(spec.pricing, spec.pricing && displayPath(spec.pricing, io.cwd));
  const onWarning = (message: string) => io.stderr(`run-batch: warning: ${message}\n`);
  const stop = new AbortController();
  const unsubscribe = io.onSignal((signal) => stop.abort(`interrupted by ${signal}`));
  const opened = countTokens === 'api' ? await openClient(spec, io.env) : undefined;
  // -m an inference profile's ARN: priced as its model, as `run` prices it (docs/attribution.md).
  if (isProfileArn(spec.model) && (opened || !spec.emulate)) {
    const { resolveRunProfile } = await import('../run/profile-setup.js');
    const profile = await resolveRunProfile(spec, { env: io.env, onWarning }, opened).catch(async (error) => {
      await opened?.close();
      throw error;
    });
    if (profile) prices.aliases = { [spec.model]: profile.pricedAs };
  }
  // Rows the answer ledger already answers cost nothing: left out, and counted apart.
  const ledger = RunLedger.forEstimate(spec, onWarning);
  const s3Etags = ledger ? etagLookup(spec, io.env) : undefined;
  try {
    const estimate = await estimateJob(spec, prices, options, {
      cwd: io.cwd,
      ...(label ? { label } : {}),
      onWarning,
      signal: stop.signal,
      ...(ledger
        ? { answered: (row: PlannedRow) => fromLedger(row) && ledger.lookup(row) !== undefined }
        : {}),
      ...(s3Etags ? { s3Etags } : {}),
      ...(opened ? { counter: countTokensTask(opened.client) } : {}),
    });
    // The minimum as `run` checks it (every row is to run: estimate reads no results file).
    if (spec.batch.mode === 'batch') checkBatchSize(estimate.rows, spec.batch.minRecords);
    // --guardrail or --attach: Batch Inference cannot take them, so auto runs (and is priced) on demand.
    const note = onDemandOnlyNote(spec.batch.mode, spec);
    if (note !== undefined) io.stderr(`run-batch: ${note}\n`);
    const batch =
      note === undefined && chooseMode(spec.batch.mode, estimate.rows, spec.batch.minRecords) === 'batch'
        ? { timeoutHours: spec.batch.timeoutHours ?? 24 }
        : undefined;
    io.stdout(format === 'json' ? estimateJson(estimate, batch) : estimateText(estimate, batch));
    return 0;
  } finally {
    ledger?.close();
    unsubscribe();
    await opened?.close();
  }
}
