/**
 * runBatch: the whole job as a function. Prepare (check every row, take the lock, pick up an
 * existing results file), stream the rows through the pool, write each finished row to the results
 * file the moment it completes, and return the summary, also written to `<output>.summary.json`.
 * The CLI prints it; tests call this directly.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { unsupportedSetting } from '../bedrock/support.js';
import { Pricer } from '../cost/cost.js';
import { loadPriceTable } from '../cost/load.js';
import { priceOf } from '../cost/table.js';
import { displayPath, ExitCode, RunBatchError } from '../errors.js';
import { requestBuilder, requestDefaults } from '../input/request.js';
import { openSource } from '../input/source.js';
import type { JobSpec } from '../job/spec.js';
import { recordText } from '../output/layout.js';
import { acquireLock } from '../output/lock.js';
import { Pool } from '../pool/pool.js';
import { connectLimiter, limiterKey, type SharedLimiter } from '../pool/shared.js';
import { redactor } from '../redact.js';
import type { PromptRequest, ResultRecord } from '../types.js';
import { Budget } from './budget.js';
import { type OpenClient, openClient } from './client.js';
import { FailureGuard } from './guard.js';
import { prepare } from './prepare.js';
import { errorRecord, okRecord } from './records.js';
import { invokeProblem, rowTask } from './row-task.js';
import type { RequestCheck } from './scan.js';
import { Stopper } from './stopper.js';
import { type RunSummary, Tally } from './summary.js';
import { summaryPath, writeSummaryFile } from './summary-file.js';

export interface RunDeps {
  /** A ready client (tests, --emulate); otherwise one is built from the spec. */
  client?: BedrockRuntimeClient;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called after every finished row. */
  onProgress?: (progress: Progress) => void;
  /** Something the user should know that does not stop the run (an unpriced model, a stale lock). */
  onWarning?: (message: string) => void;
  /**
   * A finished row that could not be written anywhere (the disk is full and its reserve spent):
   * its record as JSON, so the answer reaches the log instead of being lost. Never silenced.
   */
  onUnwritten?: (record: string) => void;
  /** Aborting it stops admitting rows; calls in flight get the grace period to finish. */
  signal?: AbortSignal;
  /** Aborting it cuts calls in flight off at once (what finished is still written). */
  abortSignal?: AbortSignal;
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
  const redact = redactor(deps.env ?? process.env);
  const cwd = deps.cwd ?? process.cwd();
  // Taken first: another run's files (results, summary) are never touched, and a second run on
  // the same output stops at once (exit 4) without reading anything.
  const lock = acquireLock(spec.output, displayPath(spec.output, cwd), deps.onWarning);
  try {
    const summary = await run(spec, deps, startedAt);
    saveSummary(spec.output, summary, redact, deps);
    return summary;
  } catch (error) {
    const exitCode = error instanceof RunBatchError ? error.exitCode : 70;
    const failed = new Tally().summarize({
      input: spec.input,
      output: spec.output,
      total: 0,
      startedAt,
      finishedAt: new Date(),
      exitCode,
    });
    saveSummary(spec.output, { ...failed, error: (error as Error).message }, redact, deps);
    throw error;
  } finally {
    lock.release();
  }
}

/** `--limiter`: the Redis every runner on this account, region and model shares its limits through. */
async function openLimiter(
  spec: JobSpec,
  client: BedrockRuntimeClient,
  deps: RunDeps,
): Promise<SharedLimiter> {
  const { accessKeyId } = await client.config.credentials();
  return connectLimiter({
    url: spec.limiter as string,
    key: limiterKey({
      ...(spec.limiterKey === undefined ? {} : { account: spec.limiterKey }),
      accessKeyId,
      region: spec.region,
      model: spec.model,
    }),
    // An attempt settles within the request timeout; a reservation older than that was a dead runner's.
    reservationTtlMs: spec.requestTimeoutMs + 5000,
    ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
  });
}

/** Written on every exit path; a summary that cannot be written is a warning, not a failed run. */
function saveSummary(output: string, summary: object, redact: (text: string) => string, deps: RunDeps): void {
  try {
    writeSummaryFile(output, summary, redact);
  } catch (error) {
    deps.onWarning?.(`could not write ${summaryPath(output)}: ${(error as Error).message}`);
  }
}

async function run(spec: JobSpec, deps: RunDeps, startedAt: Date): Promise<RunSummary> {
  const cwd = deps.cwd ?? process.cwd();
  const redact = redactor(deps.env ?? process.env);
  const label = displayPath(spec.input, cwd);
  const prices = loadPriceTable(
    spec.pricing,
    spec.pricing === undefined ? undefined : displayPath(spec.pricing, cwd),
  );
  const pricer = new Pricer(prices, deps.onWarning);
  const source = openSource(spec.input, spec.inputFormat, label);
  const build = requestBuilder(requestDefaults(spec, label));
  const stopper = new Stopper(spec.graceMs);
  const prepared = await prepare(spec, source, build, {
    label,
    cwd,
    check: requestCheck(spec, prices),
    onDiskFull: (message) =>
      stopper.stop(`${message}: stopped admitting rows; free some space and run again`),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...warn(deps),
  });
  const { rowCount, layout, journal, done } = prepared;
  const tally = new Tally();
  tally.skipped = prepared.kept;
  let pool: Pool | undefined;
  const running = new Set<Promise<void>>();
  const onSoft = () => stopper.stop(String(deps.signal?.reason ?? 'interrupted'));
  const onHard = () => stopper.abortNow(String(deps.abortSignal?.reason ?? 'interrupted'));
  let opened: OpenClient | undefined;
  try {
    if (!deps.client) opened = await openClient(spec, deps.env ?? process.env);
    const client = deps.client ?? (opened as OpenClient).client;
    if (deps.signal?.aborted) onSoft();
    deps.signal?.addEventListener('abort', onSoft, { once: true });
    if (deps.abortSignal?.aborted) onHard();
    deps.abortSignal?.addEventListener('abort', onHard, { once: true });

    const limiter = spec.limiter === undefined ? undefined : await openLimiter(spec, client, deps);
    pool = new Pool(
      {
        ...(limiter ? { limiter } : {}),
        concurrency: spec.concurrency,
        adaptive: spec.adaptive,
        retry: { maxAttempts: spec.maxAttempts, baseMs: spec.backoffBaseMs, capMs: spec.backoffCapMs },
        requestTimeoutMs: spec.requestTimeoutMs,
        signal: stopper.soft,
        abortSignal: stopper.hard,
        ...(spec.rpm === undefined ? {} : { rpm: spec.rpm }),
        ...(spec.tpm === undefined ? {} : { tpm: spec.tpm }),
      },
      prepared.largestReservation,
    );
    const guard = new FailureGuard(spec.maxErrors);
    const budget = spec.maxCost === undefined ? undefined : new Budget(spec.maxCost, prices);
    const callOptions = { api: spec.api, stream: spec.stream };
    const activePool = pool;

    const finishRow = (request: PromptRequest, record: ResultRecord) => {
      record.cost_usd = pricer.recordCost(record);
      // An error message could echo a credential; it must not reach the results file.
      if (record.error_message !== '') record.error_message = redact(record.error_message);
      // On disk first; only then counted.
      const text = recordText(layout, record, request.row);
      try {
        journal.append(request.index, text);
      } catch (error) {
        // Nowhere left to write (the disk-full reserve is spent too): stop at once, and put the
        // paid-for answer in the log rather than lose it.
        stopper.abortNow(`cannot write the results file: ${(error as Error).message}`);
        const lost = `row ${request.id} could not be written; its record: ${JSON.stringify(record)}`;
        (deps.onUnwritten ?? deps.onWarning)?.(lost);
        return;
      }
      tally.add(record);
      const reason = guard.check(record);
      if (reason !== undefined) stopper.stop(reason);
      deps.onProgress?.({
        total: rowCount,
        done: tally.done,
        ok: tally.ok,
        error: tally.error,
        skipped: tally.skipped,
        attempts: activePool.stats.attempts,
        throttles: activePool.stats.throttles,
        inputTokens: tally.tokens.input,
        outputTokens: tally.tokens.output,
        costUsd: tally.spentUsd,
      });
    };

    let wake: (() => void) | undefined;
    const schedule = (request: PromptRequest, hold: bigint) => {
      const task = activePool.run(rowTask(client, request, callOptions)).then((outcome) => {
        if (outcome.kind === 'skipped') return budget?.settle(hold, null);
        const meta = { attempts: outcome.attempts, latencyMs: outcome.latencyMs, finishedAt: new Date() };
        const record =
          outcome.kind === 'ok'
            ? okRecord(request, outcome.value, meta, spec.stream)
            : errorRecord(request, outcome.failure, meta, spec.stream);
        finishRow(request, record);
        budget?.settle(hold, record.cost_usd);
      });
      running.add(task);
      const settled = () => {
        running.delete(task);
        wake?.();
      };
      // Both ways, so a failed task is not also an unhandled rejection (Promise.all reports it).
      task.then(settled, settled);
    };

    for await (const row of source.rows()) {
      if (stopper.stopped) break;
      if (done?.[row.index] === 1) continue;
      if (row.index >= rowCount) {
        // The file grew after it was checked: its new rows were not checked and have no place in
        // the finished file. Stop; the next run checks it again.
        stopper.stop(`${label} changed while the run was reading it; run again`);
        break;
      }
      // Backpressure: never read further ahead than the pool can use.
      while (activePool.load >= activePool.concurrency * 2)
        await new Promise<void>((resolve) => (wake = resolve));
      if (stopper.stopped) break;
      const request = build(row, source.columns());
      const admission = budget?.admit(request) ?? { ok: true as const, hold: 0n };
      if (!admission.ok) {
        stopper.stop(admission.reason);
        break;
      }
      schedule(request, admission.hold);
    }
    await Promise.all(running);
    // A stopped run also leaves its rows in input order; only a hard stop skips the rewrite.
    if (stopper.hard.aborted) journal.close();
    else finishJournal(journal, deps);
  } catch (error) {
    stopper.abortNow('error');
    await Promise.allSettled(running);
    journal.close();
    throw error;
  } finally {
    stopper.dispose();
    deps.signal?.removeEventListener('abort', onSoft);
    deps.abortSignal?.removeEventListener('abort', onHard);
    await pool?.close();
    await opened?.close();
  }

  tally.throttles = pool?.stats.throttles ?? 0;
  tally.attempts = pool?.stats.attempts ?? 0;
  // A stop that left nothing undone (the last row tripped --max-errors, a signal after the end) is
  // a finished run.
  const leftUndone = rowCount - tally.ok - tally.error - tally.skipped > 0;
  const exitCode =
    stopper.stopped && leftUndone ? ExitCode.Stopped : tally.error > 0 ? ExitCode.RowsFailed : ExitCode.Ok;
  return tally.summarize({
    input: spec.input,
    output: spec.output,
    total: rowCount,
    startedAt,
    finishedAt: new Date(),
    exitCode,
    ...(stopper.reason === undefined ? {} : { stopReason: stopper.reason }),
  });
}

/** Reordering needs room for a second copy; without it the rows stay, in completion order. */
function finishJournal(journal: { finish(): void }, deps: RunDeps): void {
  try {
    journal.finish();
  } catch (error) {
    deps.onWarning?.(
      `${(error as Error).message}; every finished row is in the file, in the order it finished`,
    );
  }
}

/** Checks every row must pass before anything is sent, beyond the input's own. */
function requestCheck(spec: JobSpec, prices: ReturnType<typeof loadPriceTable>): RequestCheck {
  const checks: RequestCheck[] = [(request) => unsupportedSetting(request, spec.api)];
  if (spec.api === 'invoke') checks.push(invokeProblem);
  if (spec.maxCost !== undefined) {
    checks.push((request) =>
      priceOf(prices, request.model)
        ? undefined
        : `--max-cost needs a price for every model, and "${request.model}" has none (add it with --pricing FILE)`,
    );
  }
  return (request) => checks.map((check) => check(request)).find((p) => p !== undefined);
}

function warn(deps: RunDeps): { onWarning?: (message: string) => void } {
  return deps.onWarning ? { onWarning: deps.onWarning } : {};
}
