/**
 * The batch state file beside the output (`<output>.batch.json`): every planned job with its name,
 * clientRequestToken, rows and files, then its ARN, status and whether its records were handed on.
 *
 * Crash safety: the file is replaced atomically (write a temp file, fsync, rename), and a job is
 * saved with its token before its CreateModelInvocationJob is sent. Killed at any moment, a rerun
 * finds either no job (nothing was sent) or the job with its token: it creates again with that
 * token, which Bedrock answers with the job it already has, so nothing is submitted twice.
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
  /** Its records were handed to the caller; rows of it not done since are planned anew. */
  collected: boolean;
}

export interface BatchState {
  version: 1;
  inputHash: string;
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
    const state = JSON.parse(text) as BatchState;
    if (state.version !== 1 || !Array.isArray(state.jobs) || typeof state.inputHash !== 'string')
      throw new Error('not a run-batch batch state (version 1)');
    return state;
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
