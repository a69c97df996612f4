/**
 * runBatchJobs: the job loop under the batch Engine (engine.ts). Rows in, outcomes out, through
 * Bedrock Batch Inference. Plan jobs (saved before
 * anything is sent), upload and submit what the quota allows, poll with backoff, collect each job as
 * it ends and hand its rows on, until every job is collected, --no-wait returns after one look, or
 * the signal aborts (jobs keep running on Bedrock; a later call re-attaches through the state file).
 */
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { S3Client } from '@aws-sdk/client-s3';
import { RunBatchError } from '../../errors.js';
import { sleep as abortableSleep } from '../../pool/sleep.js';
import { collectJob, NEVER_TRIED } from './collect.js';
import { credentialsError, getJob } from './control.js';
import { pollDelayMs } from './limits.js';
import { statePath } from './names.js';
import { BatchCode, type BatchOutcome, jobEndCode } from './outcome.js';
import { pendingRows, planJobs, prepareRows } from './plan.js';
import type { BatchRow } from './records.js';
import type { BatchSettings } from './settings.js';
import {
  type BatchState,
  type JobState,
  openJobs,
  owedRows,
  readState,
  TERMINAL,
  writeState,
} from './state.js';
import { cancelJobs, inFlight, type SubmitContext, submitReady } from './submit.js';

export interface JobProgress {
  name: string;
  model: string;
  status: string;
  records: number;
  processed: number;
  message?: string;
}

export interface BatchDeps {
  bedrock: BedrockClient;
  s3: S3Client;
  /** After each submission and poll round: every job of this output not yet collected. */
  onProgress?: (jobs: JobProgress[]) => void;
  onWarning?: (message: string) => void;
  /**
   * The rows of one collected job (or rows no job can take), in input order. Awaited before the job
   * is marked collected, so rows the caller has written are never lost to a kill, nor paid for
   * twice. Given, the result's `finished` stays empty: the caller has had every row.
   */
  onFinished?: (finished: FinishedRow[]) => void | Promise<void>;
  /** Aborting it ends the wait; submitted jobs keep running. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => Date;
  /** How the input is named in messages. @default 'input' */
  inputLabel?: string;
  /** Multipart part size for uploads (tests make it small). */
  partSize?: number;
}

export interface FinishedRow {
  row: BatchRow;
  outcome: BatchOutcome;
}

export interface BatchJobsResult {
  /** Every row handed on, when no `onFinished` took them (tests read them here). */
  finished: FinishedRow[];
  /** Rows owed by jobs still running or not yet submitted. */
  pending: number;
  /**
   * Why it returned with rows pending: 'no-wait', 'signal', 'cancelled', 'nothing-to-cancel'
   * (--cancel found no open job), or a failure's message.
   */
  stopReason?: string;
  jobs: JobProgress[];
  /** The jobs collected by this call: how many, their records, and the time Bedrock took. */
  collected: { jobs: number; records: number; bedrockMs: number };
}

const UNANSWERED = new Set<string>([
  BatchCode.Missing,
  BatchCode.NotCreated,
  ...[...NEVER_TRIED].map((status) => jobEndCode(status)),
]);

/** Gets in a row that may fail (the SDK retried each already) before the run stops with exit 3. */
const POLL_FAILURES = 5;

/**
 * @param rows every row of the job in input order, including those already ok in the results file
 *   (`done: true`): they take part in the input hash but are never sent or returned.
 */
export async function runBatchJobs(
  rows: readonly BatchRow[],
  settings: BatchSettings,
  deps: BatchDeps,
): Promise<BatchJobsResult> {
  const warn = deps.onWarning ?? (() => {});
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? abortableSleep;
  const byIndex = new Map(rows.map((row) => [row.index, row]));
  const isDone = (index: number) => byIndex.get(index)?.done === true;
  const prepared = prepareRows(rows, settings.api, deps.inputLabel);
  const path = statePath(settings.output);
  const state: BatchState = readState(path) ?? { version: 2, jobs: [] };
  const save = () => writeState(path, state);
  const finished: FinishedRow[] = [];
  const collected = { jobs: 0, records: 0, bedrockMs: 0 };
  const hand = async (items: Array<{ index: number; outcome: BatchOutcome }>) => {
    // Bedrock writes a job's records in any order; handed on in input order, they reach the results
    // file in order (a job is consecutive rows), which then needs no rewrite, or a cheap one.
    const rowsOut = items
      .sort((a, b) => a.index - b.index)
      .map(({ index, outcome }) => ({ row: byIndex.get(index) as BatchRow, outcome }));
    // Kept only for a caller that does not take them: 250,000 answers held to the end otherwise.
    if (!deps.onFinished) finished.push(...rowsOut);
    else if (rowsOut.length > 0) await deps.onFinished(rowsOut);
  };
  const result = (stopReason?: string): BatchJobsResult => ({
    finished,
    pending: pendingRows(state, prepared, isDone),
    ...(stopReason === undefined ? {} : { stopReason }),
    jobs: progressOf(state),
    collected,
  });
  const ctx: SubmitContext = {
    bedrock: deps.bedrock,
    s3: deps.s3,
    settings,
    records: prepared.records,
    save,
    warn,
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    ...(deps.partSize === undefined ? {} : { partSize: deps.partSize }),
  };

  // --cancel stops this output's jobs, then (waiting) collects what they answered before stopping.
  // --cancel with no job of this output open submits nothing and says so.
  const cancelled = openJobs(state).length > 0 ? 'cancelled' : 'nothing-to-cancel';
  if (settings.cancel) {
    await cancelJobs(state, ctx);
    deps.onProgress?.(progressOf(state));
    if (!settings.wait) return result(cancelled);
  } else {
    const early = planJobs(state, prepared, isDone, settings, now());
    save(); // every planned job and its token is on disk before the first Create
    await hand(early);
  }
  const keyOf = (index: number) => prepared.records.get(index)?.key;

  // A failed call (the SDK has retried it already) is tried again next round; after
  // POLL_FAILURES in a row, or at once with --no-wait, the run returns with the jobs pending.
  let failures = 0;
  const transient = (error: unknown): string | undefined => {
    if (error instanceof RunBatchError) throw error;
    const setup = credentialsError(error);
    if (setup) throw setup;
    if (deps.signal?.aborted) return 'signal';
    failures += 1;
    warn(`batch: ${(error as Error).name}: ${(error as Error).message}`);
    return failures >= POLL_FAILURES || !settings.wait ? `batch: ${(error as Error).message}` : undefined;
  };
  for (let round = 0; ; round++) {
    try {
      await submitReady(state, ctx);
      await poll(state, deps.bedrock, save);
      failures = 0;
    } catch (error) {
      const stop = transient(error);
      if (stop !== undefined) return result(stop);
    }
    deps.onProgress?.(progressOf(state));
    for (const job of openJobs(state)) {
      if (!TERMINAL.has(job.status)) continue;
      let outcomes: Map<number, BatchOutcome>;
      try {
        // Only the rows the job still owes: a row whose request changed since is not its answer.
        const owes = new Set(owedRows(job, keyOf));
        outcomes = await collectJob(deps.s3, job, (index) => owes.has(index) && !isDone(index), warn);
      } catch (error) {
        const stop = transient(error);
        if (stop !== undefined) return result(stop);
        continue;
      }
      // The caller's own failure (a results file it cannot write) is not retried: it propagates.
      await hand([...outcomes].map(([index, outcome]) => ({ index, outcome })));
      job.collected = true;
      save();
      if (job.arn !== undefined) {
        collected.jobs += 1;
        // Records the job answered (ok or with its error), not those it never reached.
        for (const outcome of outcomes.values())
          if (outcome.kind === 'ok' || !UNANSWERED.has(outcome.code)) collected.records += 1;
        if (job.submitTime && job.endTime)
          collected.bedrockMs += Math.max(0, Date.parse(job.endTime) - Date.parse(job.submitTime));
      }
    }
    if (openJobs(state).length === 0) return result(settings.cancel ? cancelled : undefined);
    if (!settings.wait) return result('no-wait');
    if (deps.signal?.aborted) return result('signal');
    await sleep(pollDelayMs(round, settings.poll), deps.signal);
    if (deps.signal?.aborted) return result('signal');
  }
}

async function poll(state: BatchState, bedrock: BedrockClient, save: () => void): Promise<void> {
  let changed = false;
  for (const job of openJobs(state)) {
    if (!inFlight(job) || job.arn === undefined) continue;
    const detail = await getJob(bedrock, job.arn);
    changed ||= detail.status !== job.status || detail.processed !== job.processed;
    Object.assign(job, detail);
  }
  if (changed) save();
}

function progressOf(state: BatchState): JobProgress[] {
  return openJobs(state).map((job: JobState) => ({
    name: job.name,
    model: job.model,
    status: job.status,
    // Bedrock's totalRecordCount is 0 until the job is validated; the plan's count is known from the start.
    records: job.records,
    processed: job.processed ?? 0,
    ...(job.message ? { message: job.message } : {}),
  }));
}
