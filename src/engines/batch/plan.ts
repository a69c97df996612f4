/**
 * From rows to jobs: every row's record is built (and refused up front when batch cannot take it),
 * the input hashed, and rows not yet owed by a job are split into new jobs appended to the state.
 * A job's name, token and S3 folders are fixed here, before anything is uploaded or created.
 */
import { RunBatchError } from '../../errors.js';
import { chunkRecords, toRanges } from './chunk.js';
import { jobInputKey, jobOutputKey } from './files.js';
import { chunkHash, clientToken, inputHash, jobName } from './names.js';
import { BatchCode, type BatchOutcome, failed } from './outcome.js';
import { type BatchRecord, type BatchRow, toRecord } from './records.js';
import { type BatchSettings, s3Uri } from './settings.js';
import { type BatchState, fromRangesSet, openJobs } from './state.js';

export interface PreparedRows {
  records: Map<number, BatchRecord>;
  hash: string;
}

/** Builds every row's record; a row batch cannot take stops the run before anything is uploaded. */
export function prepareRows(
  rows: readonly BatchRow[],
  api: 'converse' | 'invoke',
  label = 'input',
): PreparedRows {
  const records = new Map<number, BatchRecord>();
  for (const row of rows) {
    const record = toRecord(row, api);
    if ('problem' in record) {
      throw new RunBatchError('INPUT', `${label}:${row.request.line}: row "${row.id}": ${record.problem}`);
    }
    records.set(row.index, record);
  }
  return { records, hash: inputHash([...records.values()]) };
}

export interface Early {
  index: number;
  outcome: BatchOutcome;
}

/**
 * Appends jobs for the rows that are neither done nor owed by an open job. Rows that cannot go in
 * any job (too few for their model, too big for a file) come back as failed outcomes, so the caller
 * can run them on-demand.
 */
export function planJobs(
  state: BatchState,
  prepared: PreparedRows,
  isDone: (index: number) => boolean,
  settings: BatchSettings,
  now: Date,
): Early[] {
  const owed = new Set<number>();
  for (const job of openJobs(state)) for (const index of fromRangesSet(job.rows)) owed.add(index);
  const todo = [...prepared.records.values()].filter((r) => !isDone(r.index) && !owed.has(r.index));
  const plan = chunkRecords(todo, settings.limits);
  let seq = state.jobs.reduce((max, job) => Math.max(max, job.seq), 0);
  for (const chunk of plan.jobs) {
    seq += 1;
    const token = clientToken(prepared.hash, chunkHash(chunk), seq);
    const name = jobName(settings.output, token, seq);
    state.jobs.push({
      seq,
      name,
      token,
      model: chunk.model,
      type: chunk.type,
      rows: toRanges(chunk.records.map((r) => r.index)),
      files: chunk.files,
      records: chunk.records.length,
      bytes: chunk.bytes,
      inputUri: s3Uri(settings.s3, jobInputKey(name)),
      outputUri: s3Uri(settings.s3, jobOutputKey(name)),
      status: 'Planned',
      collected: false,
    });
  }
  const min = settings.limits.minRecordsPerJob;
  return [
    ...plan.belowMinimum.map((r) => ({
      index: r.index,
      outcome: failed(
        BatchCode.BelowMinimum,
        `model ${r.model} has fewer rows to run in batch than a job takes (${min}, --batch-min-records)`,
        now,
      ),
    })),
    ...plan.tooLarge.map((r) => ({
      index: r.index,
      outcome: failed(
        BatchCode.TooLarge,
        `the record is ${r.bytes} bytes, more than a batch input file may hold (${settings.limits.bytesPerFile})`,
        now,
      ),
    })),
  ];
}

/** Rows of open jobs not done yet: what a stopped run leaves pending. */
export function pendingRows(state: BatchState, isDone: (index: number) => boolean): number {
  let pending = 0;
  for (const job of openJobs(state))
    for (const index of fromRangesSet(job.rows)) if (!isDone(index)) pending += 1;
  return pending;
}
