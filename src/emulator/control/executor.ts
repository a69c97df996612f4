/**
 * Moves jobs through Bedrock's statuses, one step every `stepMs`: Submitted -> Validating (the
 * input is read and checked: record format, minimum and maximum record counts) -> Scheduled ->
 * InProgress (a slice of records answered per step, counts updated) -> Completed, with the output
 * and manifest written. Stopping -> Stopped writes what was answered so far; a job still
 * Scheduled past its timeout is Expired, one still InProgress is PartiallyCompleted (or as the
 * input scripts it: files.ts).
 * Per-record errors do not fail a job: Bedrock reports it Completed with errorRecordCount.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Arrivals } from '../behaviour/directives.js';
import { resolveModel } from '../catalogue/catalogue.js';
import type { ObjectStore } from '../s3/store.js';
import { type InputFile, JobFailure, readInput, type ScriptedEnding, writeOutput } from './files.js';
import { ACTIVE, type Job, type JobStatus, setStatus } from './job.js';
import { answerRecord, outputLine } from './records.js';

export interface ExecutorSettings {
  stepMs: number;
  recordsPerStep: number;
  minRecords: number;
  maxRecords: number;
  seed: number;
  /** A job that has answered this many records waits there until it is stopped (tests of a stop mid-file). */
  holdAt?: number;
  /** Output directly under the output prefix instead of `<job id>/` (some stand-ins do that). */
  flatOutput?: boolean;
}

export interface RecordCounters {
  records: number;
  succeeded: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
}

interface Work {
  files?: InputFile[];
  /** Output lines per file, in input order. */
  lines: string[][];
  file: number;
  index: number;
  /** The ending a `[[emulator:job=...]]` directive in the input scripted. */
  ending?: ScriptedEnding;
}

/** `[[emulator:job=AllErrors]]`: the job ends Completed with every record this error. */
const ALL_ERRORS = {
  ok: false,
  error: { errorCode: 500, errorMessage: 'The model could not process the record (scripted: AllErrors).' },
} as const;

const zero = (): RecordCounters => ({ records: 0, succeeded: 0, failed: 0, inputTokens: 0, outputTokens: 0 });

export class Executor {
  private controller = new AbortController();
  private totals = zero();

  constructor(
    private readonly settings: ExecutorSettings,
    private readonly store: ObjectStore,
    private readonly arrivals: Arrivals,
  ) {}

  start(job: Job): void {
    void this.run(job, this.controller.signal);
  }

  counters(): RecordCounters {
    return { ...this.totals };
  }

  resetCounters(): void {
    this.totals = zero();
  }

  /** Abandons every job where it stands (their records go unanswered). */
  reset(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }

  private async run(job: Job, signal: AbortSignal): Promise<void> {
    const work: Work = { lines: [], file: 0, index: 0 };
    try {
      while (ACTIVE.has(job.status)) {
        await sleep(this.settings.stepMs, undefined, { signal });
        await this.step(job, work);
      }
    } catch (error) {
      if (signal.aborted) return;
      setStatus(job, 'Failed', `Internal error: ${(error as Error).message}`);
    }
  }

  private async step(job: Job, work: Work): Promise<void> {
    const expired = Date.now() > job.jobExpirationTime.getTime() || work.ending === 'Expired';
    switch (job.status) {
      case 'Stopping':
        return this.finish(job, work, 'Stopped');
      case 'Submitted':
        return setStatus(job, 'Validating');
      case 'Validating':
        return this.validate(job, work);
      case 'Scheduled':
        if (expired)
          return setStatus(
            job,
            'Expired',
            `The job did not start within its timeout of ${job.timeoutDurationInHours} hours.`,
          );
        return setStatus(job, 'InProgress');
      case 'InProgress': {
        const late = `Not all records could be processed within the timeout of ${job.timeoutDurationInHours} hours.`;
        if (expired) return this.finish(job, work, 'PartiallyCompleted', late);
        // A scripted PartiallyCompleted runs out of time halfway.
        const total = job.totalRecordCount;
        const stopAt = work.ending === 'PartiallyCompleted' ? Math.floor(total / 2) : total;
        const hold = this.settings.holdAt;
        if (hold !== undefined && hold < stopAt) {
          if (job.processedRecordCount >= hold) return;
          this.answerSlice(
            job,
            work,
            Math.min(this.settings.recordsPerStep, hold - job.processedRecordCount),
          );
          return;
        }
        this.answerSlice(
          job,
          work,
          Math.min(this.settings.recordsPerStep, stopAt - job.processedRecordCount),
        );
        if (job.processedRecordCount < stopAt) return;
        return stopAt < total
          ? this.finish(job, work, 'PartiallyCompleted', late)
          : this.finish(job, work, 'Completed');
      }
      default:
        return;
    }
  }

  private async validate(job: Job, work: Work): Promise<void> {
    let files: InputFile[];
    try {
      const input = await readInput(this.store, job.inputDataConfig.s3InputDataConfig.s3Uri);
      files = input.files;
      if (input.ending) work.ending = input.ending;
    } catch (error) {
      if (!(error instanceof JobFailure)) throw error;
      if (job.status === 'Validating') setStatus(job, 'Failed', error.message);
      return;
    }
    // A Stop that arrived while the input was read wins.
    if (job.status !== 'Validating') return;
    if (work.ending === 'Failed')
      return setStatus(
        job,
        'Failed',
        'Validation failed: the job was scripted to fail ([[emulator:job=Failed]]).',
      );
    const { minRecords, maxRecords } = this.settings;
    const total = files.reduce((sum, file) => sum + file.records.length, 0);
    const crowded = files.find((file) => file.records.length > maxRecords);
    if (total < minRecords)
      return setStatus(
        job,
        'Failed',
        `Validation failed: the job has ${total} records, fewer than the minimum of ${minRecords} records per batch inference job for ${job.baseModelId}.`,
      );
    if (total > maxRecords || crowded)
      return setStatus(
        job,
        'Failed',
        `Validation failed: the job has ${total} records${crowded ? ` (${crowded.records.length} in ${crowded.name})` : ''}, more than the maximum of ${maxRecords} records per batch inference job and per input file.`,
      );
    work.files = files;
    work.lines = files.map(() => []);
    job.totalRecordCount = total;
    setStatus(job, 'Scheduled');
  }

  private answerSlice(job: Job, work: Work, count: number): void {
    const files = work.files ?? [];
    const model = resolveModel(job.baseModelId);
    if (!model) throw new Error(`model ${job.baseModelId} is not in the catalogue`);
    for (let left = count; left > 0; ) {
      const file = files[work.file];
      if (!file) return;
      const record = file.records[work.index++];
      if (!record) {
        work.file++;
        work.index = 0;
        continue;
      }
      left--;
      const answer =
        work.ending === 'AllErrors'
          ? ALL_ERRORS
          : answerRecord(job.modelInvocationType, model, record.modelInput, this.arrivals, record.recordId);
      job.processedRecordCount++;
      this.totals.records++;
      if (answer.ok) {
        job.successRecordCount++;
        job.inputTokenCount += answer.inputTokens;
        job.outputTokenCount += answer.outputTokens;
        this.totals.succeeded++;
        this.totals.inputTokens += answer.inputTokens;
        this.totals.outputTokens += answer.outputTokens;
      } else {
        job.errorRecordCount++;
        this.totals.failed++;
      }
      work.lines[work.file]?.push(outputLine(record, answer));
    }
    job.lastModifiedTime = new Date();
  }

  /** Writes the output (when the input was read) and ends the job. */
  private async finish(job: Job, work: Work, status: JobStatus, message?: string): Promise<void> {
    if (work.files) {
      try {
        await writeOutput(
          this.store,
          job,
          work.files,
          work.lines,
          this.settings.seed,
          this.settings.flatOutput,
        );
      } catch (error) {
        const uri = job.outputDataConfig.s3OutputDataConfig.s3Uri;
        return setStatus(job, 'Failed', `Could not write the output to ${uri}: ${(error as Error).message}`);
      }
    }
    // A Stop that arrived while the output was written turns the ending into Stopped.
    setStatus(job, job.status === 'Stopping' ? 'Stopped' : status, message);
  }
}
