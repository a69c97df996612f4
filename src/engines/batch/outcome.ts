/**
 * What became of each row in a batch, read from the job's output records. Pure: the lines come in,
 * outcomes go out, so the mapping is tested without S3. Usage comes from each record's modelOutput
 * (a Converse response body in Converse-type jobs, the family's native body otherwise), read by the
 * same code as on-demand responses.
 */
import type { ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { converseResult } from '../../bedrock/converse.js';
import { isObject, num, parseInvokeBody } from '../../bedrock/families/index.js';
import type { CallResult } from '../../types.js';
import { type InvocationType, indexOfRecord } from './records.js';

export type BatchOutcome =
  | { kind: 'ok'; value: CallResult; finishedAt: Date; jobArn: string }
  | { kind: 'failed'; code: string; message: string; finishedAt: Date; jobArn?: string };

/** Codes of failures the engine itself reports (a record's own error keeps Bedrock's code). */
export const BatchCode = {
  /** The row cannot be a batch record (a body the model or job type does not take). */
  Unsupported: 'BatchUnsupported',
  /** Its model has fewer rows than a job takes. */
  BelowMinimum: 'BatchBelowMinimum',
  /** The record is bigger than an input file may be. */
  TooLarge: 'BatchRecordTooLarge',
  /** The job finished without an output record for it. */
  Missing: 'BatchRecordMissing',
  /** The record's output line could not be read. */
  Unreadable: 'BatchRecordUnreadable',
  /** CreateModelInvocationJob refused the job. */
  NotCreated: 'BatchJobNotCreated',
} as const;

/** A job that ended Failed, Stopped or Expired: `BatchJobFailed` and so on. */
export function jobEndCode(status: string): string {
  return `BatchJob${status}`;
}

export interface ReadRecord {
  index: number;
  outcome: BatchOutcome;
}

/** One output line; undefined index when the recordId is not one of this engine's. */
export function readOutputLine(
  line: string,
  type: InvocationType,
  finishedAt: Date,
  jobArn: string,
): ReadRecord | { unknownId: string } {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!isObject(parsed)) throw new Error('not an object');
    record = parsed;
  } catch {
    const id = /"recordId"\s*:\s*"([^"]*)"/.exec(line)?.[1];
    const index = indexOfRecord(id);
    if (index === undefined) return { unknownId: id ?? line.slice(0, 40) };
    return {
      index,
      outcome: failed(BatchCode.Unreadable, 'the output record is not valid JSON', finishedAt, jobArn),
    };
  }
  const index = indexOfRecord(record.recordId);
  if (index === undefined) return { unknownId: String(record.recordId) };
  if (isObject(record.error)) {
    const error = record.error;
    const code = error.errorCode ?? error.code;
    const message = error.errorMessage ?? error.message;
    return {
      index,
      outcome: failed(
        code === undefined ? 'BatchRecordError' : String(code),
        typeof message === 'string' ? message : JSON.stringify(error),
        finishedAt,
        jobArn,
      ),
    };
  }
  if (!isObject(record.modelOutput)) {
    return {
      index,
      outcome: failed(
        BatchCode.Unreadable,
        'the output record has neither modelOutput nor error',
        finishedAt,
        jobArn,
      ),
    };
  }
  const value =
    type === 'Converse'
      ? converseResult(record.modelOutput as unknown as ConverseCommandOutput)
      : parseInvokeBody(record.modelOutput, {});
  return { index, outcome: { kind: 'ok', value, finishedAt, jobArn } };
}

export function failed(code: string, message: string, finishedAt: Date, jobArn?: string): BatchOutcome {
  return { kind: 'failed', code, message, finishedAt, ...(jobArn === undefined ? {} : { jobArn }) };
}

export interface ManifestCounts {
  totalRecordCount?: number;
  successRecordCount?: number;
  errorRecordCount?: number;
}

/** The manifest's counts against what was read; a list of mismatches, empty when they agree. */
export function manifestMismatches(
  manifest: Record<string, unknown>,
  seen: { total: number; ok: number; failed: number },
): string[] {
  const out: string[] = [];
  const check = (field: string, expected: number) => {
    const value = num(manifest[field]);
    if (value !== undefined && value !== expected) out.push(`${field} ${value}, read ${expected}`);
  };
  check('totalRecordCount', seen.total);
  check('successRecordCount', seen.ok);
  check('errorRecordCount', seen.failed);
  return out;
}
