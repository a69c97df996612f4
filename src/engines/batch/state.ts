/**
 * The batch state file beside the output (`<output>.batch.json`): every planned job with its name,
 * clientRequestToken, rows and files, then its ARN, status and whether its records were handed on.
 *
 * The records a job was submitted with are frozen here at planning (their rows and request keys):
 * a rerun re-attaches by that, the input and what Bedrock and S3 say, never by what was answered
 * since. A row whose request changed since is no longer the job's: its answer is not taken.
 *
 * Crash safety: the file is replaced atomically (write a temp file, fsync, rename), and a job is
 * saved with its token before its CreateModelInvocationJob is sent. Killed at any moment, a rerun
 * finds either no job (nothing was sent) or the job with its token: it looks the job up by its
 * content first, and creates again with that token only if Bedrock has none, so nothing is
 * submitted twice.
 */
import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../../atomic-write.js';
import { RunBatchError } from '../../errors.js';
import type { InvocationType } from './records.js';

export type JobStatus =
  | 'Planned'
  | 'Submitted'
  | 'Validating'
  | 'Scheduled'
  | 'InProgress'
  | 'Completed'
  | 'PartiallyCompleted'
  | 'Failed'
  | 'Stopping'
  | 'Stopped'
  | 'Expired';

/** Statuses after which a job never changes again. */
export const TERMINAL: ReadonlySet<string> = new Set([
  'Completed',
  'PartiallyCompleted',
  'Failed',
  'Stopped',
  'Expired',
]);

export interface JobState {
  seq: number;
  name: string;
  token: string;
  /** The content hash (model, type, record ids and request keys): the job's identity. */
  content?: string;
  /** Request key of each record, in the order of `rows` (absent in version 1 states). */
  keys?: string[];
  /** 1, then one more for each job of the same content that ended without answering. */
  attempt?: number;
  /** The job was found on Bedrock (made by another output or machine), not created here. */
  attached?: boolean;
  model: string;
  type: InvocationType;
  /** Row indexes of the job's records, as inclusive ranges. */
  rows: Array<[number, number]>;
  /** Records per input file, in order. */
  files: number[];
  records: number;
  bytes: number;
  inputUri: string;
  outputUri: string;
  status: JobStatus;
  arn?: string;
  message?: string;
  processed?: number;
  total?: number;
  endTime?: string;
  submitTime?: string;
  /** Bedrock's jobExpirationTime: when the job ends whatever its state. */
  expiresAt?: string;
  /** Its records were handed to the caller; rows of it not done since are planned anew. */
  collected: boolean;
}

export interface BatchState {
  version: 2;
  jobs: JobState[];
}

export function readState(path: string): BatchState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunBatchError('OUTPUT', `${path}: cannot read the batch state: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const state = JSON.parse(text) as { version: unknown; jobs: unknown };
    // Version 1 differs only in an input hash no longer used: its jobs re-attach as they are.
    if ((state.version !== 1 && state.version !== 2) || !Array.isArray(state.jobs))
      throw new Error('not a run-batch batch state (version 1 or 2)');
    return { version: 2, jobs: state.jobs as JobState[] };
  } catch (error) {
    throw new RunBatchError(
      'OUTPUT',
      `${path}: the batch state is damaged (${(error as Error).message}); it lists this output's submitted jobs, so fix or remove it by hand (a rerun without it re-attaches to the same jobs by their tokens)`,
      { cause: error },
    );
  }
}

export function writeState(path: string, state: BatchState): void {
  writeFileAtomic(path, `${JSON.stringify(state, null, 1)}\n`);
}

export function removeState(path: string): void {
  rmSync(path, { force: true });
}

/** Every index of a job's ranges. */
export function* fromRangesSet(ranges: ReadonlyArray<readonly [number, number]>): Generator<number> {
  for (const [first, last] of ranges) for (let i = first; i <= last; i++) yield i;
}

/** Jobs whose records have not been handed on yet. */
export function openJobs(state: BatchState): JobState[] {
  return state.jobs.filter((job) => !job.collected);
}

/**
 * The rows a job still owes: its rows whose request is still the one it was submitted with (`key`
 * gives a row's current request key, undefined for a row no longer in the input).
 */
export function* owedRows(job: JobState, key: (index: number) => string | undefined): Generator<number> {
  let at = 0;
  for (const index of fromRangesSet(job.rows)) {
    const frozen = job.keys?.[at++];
    const now = key(index);
    if (now !== undefined && (frozen === undefined || frozen === now)) yield index;
  }
}

/** How many rows the open jobs of a state file owe (their records as submitted), 0 without one. */
export function rowsOwed(path: string): number {
  const state = readState(path);
  let owed = 0;
  for (const job of state ? openJobs(state) : [])
    if (job.status !== 'Failed' || job.arn !== undefined) owed += job.records;
  return owed;
}
