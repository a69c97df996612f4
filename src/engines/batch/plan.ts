/**
 * From rows to jobs: every row's record is built (and refused up front when batch cannot take it),
 * and rows neither done nor owed by an open job are split into new jobs appended to the state.
 * A job's content hash, name, token and S3 folders are fixed here, before anything is uploaded or
 * created, and its records are frozen with it.
 */
import { RunBatchError } from '../../errors.js';
import { chunkRecords, toRanges } from './chunk.js';
import { jobInputKey, jobOutputKey } from './files.js';
import { clientToken, contentHash, jobName } from './names.js';
import { BatchCode, type BatchOutcome, failed } from './outcome.js';
import { type BatchRecord, type BatchRow, toRecord } from './records.js';
import { type BatchSettings, s3Uri } from './settings.js';
import { type BatchState, type JobState, openJobs, owedRows } from './state.js';

export interface PreparedRows {
  records: Map<number, BatchRecord>;
}

/**
 * Builds every row's record; a row batch cannot take stops the run before anything is uploaded.
 * Each record's JSONL line is built again when it is uploaded (the same request gives the same
 * line), not kept: at 250,000 rows the lines alone were about 80 MB held for the whole run.
 */
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
    records.set(row.index, new LazyLine(record, row, api));
  }
  return { records };
}

/** A record whose line is built when it is read (uploads read each once). */
class LazyLine implements BatchRecord {
  readonly index: number;
  readonly model: string;
  readonly type: BatchRecord['type'];
  readonly key: string;
  readonly bytes: number;
  constructor(
    record: BatchRecord,
    private readonly row: BatchRow,
    private readonly api: 'converse' | 'invoke',
  ) {
    this.index = record.index;
    this.model = record.model;
    this.type = record.type;
    this.key = record.key;
    this.bytes = record.bytes;
  }

  get line(): string {
    return (toRecord(this.row, this.api) as BatchRecord).line;
  }
}

export interface Early {
  index: number;
  outcome: BatchOutcome;
}

/** The rows the open jobs owe, as submitted (a row whose request changed since is not owed). */
export function owedByOpenJobs(state: BatchState, prepared: PreparedRows): Set<number> {
  const owed = new Set<number>();
  const key = (index: number) => prepared.records.get(index)?.key;
  for (const job of openJobs(state)) for (const index of owedRows(job, key)) owed.add(index);
  return owed;
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
  const owed = owedByOpenJobs(state, prepared);
  const todo = [...prepared.records.values()].filter((r) => !isDone(r.index) && !owed.has(r.index));
  const plan = chunkRecords(todo, settings.limits);
  if (settings.strictMinimum && plan.jobs.length === 0 && owed.size === 0 && plan.belowMinimum.length > 0)
    throw belowMinimum(plan.belowMinimum.length, settings.limits.minRecordsPerJob);
  let seq = state.jobs.reduce((max, job) => Math.max(max, job.seq), 0);
  for (const chunk of plan.jobs) {
    seq += 1;
    const content = contentHash(chunk.model, chunk.type, chunk.records);
    // A job of this content this output had before ended without answering: the next attempt.
    const attempt =
      1 +
      state.jobs.reduce((max, job) => (job.content === content ? Math.max(max, job.attempt ?? 1) : max), 0);
    const job: JobState = {
      seq,
      name: '',
      token: '',
      content,
      keys: chunk.records.map((r) => r.key),
      attempt,
      model: chunk.model,
      type: chunk.type,
      rows: toRanges(chunk.records.map((r) => r.index)),
      files: chunk.files,
      records: chunk.records.length,
      bytes: chunk.bytes,
      inputUri: '',
      outputUri: '',
      status: 'Planned',
      collected: false,
    };
    nameJob(job, settings, attempt);
    state.jobs.push(job);
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

/** Gives a planned job its name, folders and token for an attempt (the token covers them all). */
export function nameJob(job: JobState, settings: BatchSettings, attempt: number): void {
  const content = job.content as string;
  job.attempt = attempt;
  job.name = jobName(settings.output, content, attempt);
  job.inputUri = s3Uri(settings.s3, jobInputKey(job.name));
  job.outputUri = s3Uri(settings.s3, jobOutputKey(job.name));
  job.token = clientToken({
    content,
    model: job.model,
    type: job.type,
    name: job.name,
    inputUri: job.inputUri,
    outputUri: job.outputUri,
    roleArn: settings.roleArn,
    timeoutHours: settings.timeoutHours,
  });
}

/** `--mode batch` with new rows too few for a job and no job owing any: exit 2, nothing sent. */
export function belowMinimum(rows: number, min: number): RunBatchError {
  return new RunBatchError(
    'INPUT',
    `--mode batch needs at least ${min} rows to run (Bedrock's minimum records per job, --batch-min-records), got ${rows} new ${rows === 1 ? 'row' : 'rows'} no batch job owes (rows already answered do not count); use --mode auto (batch when there are enough, on-demand otherwise) or --mode ondemand`,
  );
}

/** Rows of open jobs not done yet: what a stopped run leaves pending. */
export function pendingRows(
  state: BatchState,
  prepared: PreparedRows,
  isDone: (index: number) => boolean,
): number {
  let pending = 0;
  for (const index of owedByOpenJobs(state, prepared)) if (!isDone(index)) pending += 1;
  return pending;
}
