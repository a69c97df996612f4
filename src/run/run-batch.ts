/**
 * runBatch: the whole job as a function. Scan the input (nothing is sent if any row is bad), then
 * stream the rows through the pool, write each finished row to the results file the moment it
 * completes, and return the summary. The CLI prints it; tests call this directly.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { checkCredentials, createClient } from '../bedrock/client.js';
import { Pricer } from '../cost/cost.js';
import { loadPriceTable } from '../cost/load.js';
import { displayPath, ExitCode } from '../errors.js';
import { requestBuilder, requestDefaults } from '../input/request.js';
import { openSource } from '../input/source.js';
import type { JobSpec } from '../job/spec.js';
import { Journal } from '../output/journal.js';
import { headerText, makeLayout, recordText } from '../output/layout.js';
import { Pool } from '../pool/pool.js';
import type { PromptRequest, ResultRecord } from '../types.js';
import { FailureGuard } from './guard.js';
import { errorRecord, okRecord } from './records.js';
import { invokeProblem, rowTask } from './row-task.js';
import { scanInput } from './scan.js';
import { type RunSummary, Tally } from './summary.js';

export interface RunDeps {
  /** A ready client (tests, --emulate); otherwise one is built from the spec. */
  client?: BedrockRuntimeClient;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called after every finished row. */
  onProgress?: (progress: Progress) => void;
  /** Something the user should know that does not stop the run (an unpriced model, a stale lock). */
  onWarning?: (message: string) => void;
  /** Aborting it stops admitting rows; calls in flight finish and are recorded. */
  signal?: AbortSignal;
}

export interface Progress {
  total: number;
  done: number;
  ok: number;
  error: number;
  skipped: number;
  attempts: number;
  throttles: number;
  inputTokens: number;
  outputTokens: number;
  /** Spend so far, null until a priced row finished. */
  costUsd: number | null;
}

export async function runBatch(spec: JobSpec, deps: RunDeps = {}): Promise<RunSummary> {
  const startedAt = new Date();
  const env = deps.env ?? process.env;
  const label = displayPath(spec.input, deps.cwd ?? process.cwd());
  const pricing =
    spec.pricing === undefined ? undefined : displayPath(spec.pricing, deps.cwd ?? process.cwd());
  const pricer = new Pricer(loadPriceTable(spec.pricing, pricing), deps.onWarning);
  const source = openSource(spec.input, spec.inputFormat, label);
  const build = requestBuilder(requestDefaults(spec, label));
  // Only the counts are kept: the id index (the scan's one per-row structure) is let go before the
  // run, so memory does not grow with the input.
  const { rowCount, columns, largestReservation } = await scanInput(
    source,
    build,
    label,
    spec.api === 'invoke' ? invokeProblem : undefined,
  );

  const client = deps.client ?? createClient(clientOptions(spec));
  if (!deps.client) await checkCredentials(client, env);

  // Stopping early (fail-fast, --max-errors, the caller's signal) stops admitting rows.
  const stop = new AbortController();
  let stopReason: string | undefined;
  const stopWith = (reason: string) => {
    stopReason ??= reason;
    stop.abort();
  };
  const onAbort = () => stopWith(String(deps.signal?.reason ?? 'interrupted'));
  if (deps.signal?.aborted) onAbort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });

  const pool = new Pool(
    {
      concurrency: spec.concurrency,
      adaptive: spec.adaptive,
      retry: { maxAttempts: spec.maxAttempts, baseMs: spec.backoffBaseMs, capMs: spec.backoffCapMs },
      requestTimeoutMs: spec.requestTimeoutMs,
      signal: stop.signal,
      ...(spec.rpm === undefined ? {} : { rpm: spec.rpm }),
      ...(spec.tpm === undefined ? {} : { tpm: spec.tpm }),
    },
    largestReservation,
  );
  const layout = makeLayout(spec.outputFormat, columns, spec.stream, spec.csvSafe);
  const journal = new Journal(spec.output, headerText(layout), rowCount);
  const tally = new Tally();
  const guard = new FailureGuard(spec.maxErrors);
  const callOptions = { api: spec.api, stream: spec.stream };

  const finishRow = (request: PromptRequest, record: ResultRecord) => {
    record.cost_usd = pricer.recordCost(record);
    // On disk first; only then counted.
    journal.append(request.index, recordText(layout, record, request.row));
    tally.add(record);
    const reason = guard.check(record);
    if (reason !== undefined) stopWith(reason);
    deps.onProgress?.({
      total: rowCount,
      done: tally.done,
      ok: tally.ok,
      error: tally.error,
      skipped: tally.skipped,
      attempts: pool.stats.attempts,
      throttles: pool.stats.throttles,
      inputTokens: tally.tokens.input,
      outputTokens: tally.tokens.output,
      costUsd: tally.spentUsd,
    });
  };

  const running = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  const schedule = (request: PromptRequest) => {
    const task = pool.run(rowTask(client, request, callOptions)).then((outcome) => {
      if (outcome.kind === 'skipped') return;
      const meta = { attempts: outcome.attempts, latencyMs: outcome.latencyMs, finishedAt: new Date() };
      finishRow(
        request,
        outcome.kind === 'ok'
          ? okRecord(request, outcome.value, meta, spec.stream)
          : errorRecord(request, outcome.failure, meta, spec.stream),
      );
    });
    running.add(task);
    void task.finally(() => {
      running.delete(task);
      wake?.();
    });
  };

  try {
    for await (const row of source.rows()) {
      if (stop.signal.aborted) break;
      // Backpressure: never read further ahead than the pool can use.
      while (pool.load >= pool.concurrency * 2) await new Promise<void>((resolve) => (wake = resolve));
      if (stop.signal.aborted) break;
      schedule(build(row, source.columns()));
    }
    await Promise.all(running);
    // Even a stopped run leaves its rows in input order; the next run adds the rest.
    journal.finish();
  } catch (error) {
    stop.abort();
    await Promise.allSettled(running);
    journal.close();
    throw error;
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }

  tally.throttles = pool.stats.throttles;
  tally.attempts = pool.stats.attempts;
  const exitCode =
    stopReason !== undefined ? ExitCode.Stopped : tally.error > 0 ? ExitCode.RowsFailed : ExitCode.Ok;
  return tally.summarize({
    input: spec.input,
    output: spec.output,
    total: rowCount,
    startedAt,
    finishedAt: new Date(),
    exitCode,
    ...(stopReason === undefined ? {} : { stopReason }),
  });
}

function clientOptions(spec: JobSpec) {
  return {
    region: spec.region,
    maxSockets: spec.concurrency,
    ...(spec.profile === undefined ? {} : { profile: spec.profile }),
    ...(spec.endpoint === undefined ? {} : { endpoint: spec.endpoint }),
  };
}
