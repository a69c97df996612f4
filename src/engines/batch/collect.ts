/**
 * Collects a finished job: reads every `*.jsonl.out` under `<outputUri><job id>/` (or the output
 * prefix itself, where some write it), in whatever order Bedrock wrote the records, maps each record
 * to its row by recordId, turns records that failed or never came back into failed outcomes, and
 * checks the counts against `manifest.json.out` (a mismatch is a warning: the records read are
 * still the truth for each row). Every ending is read, Stopped, Expired and Failed too: Bedrock
 * writes what it answered before the job ended, and a paid answer is never thrown away.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { fromRanges } from './chunk.js';
import { outputKeys, readLines, readText } from './files.js';
import {
  BatchCode,
  type BatchOutcome,
  failed,
  jobEndCode,
  manifestMismatches,
  readOutputLine,
} from './outcome.js';
import { recordId } from './records.js';
import type { JobState } from './state.js';

/**
 * Endings whose unanswered records were never tried: they are not run (left for the next run),
 * never paid for on-demand. Records missing from other endings count as failed by the job.
 */
export const NEVER_TRIED = new Set(['Stopped', 'Failed', 'Expired']);

export async function collectJob(
  s3: S3Client,
  job: JobState,
  want: (index: number) => boolean,
  warn: (message: string) => void,
): Promise<Map<number, BatchOutcome>> {
  const finishedAt = job.endTime ? new Date(job.endTime) : new Date();
  const rows = fromRanges(job.rows);
  const outcomes = new Map<number, BatchOutcome>();
  if (job.arn === undefined) {
    const why = job.message ? `: ${job.message}` : '';
    const code =
      job.arn === undefined && job.status === 'Failed' ? BatchCode.NotCreated : jobEndCode(job.status);
    for (const index of rows) {
      if (!want(index)) continue;
      outcomes.set(
        index,
        failed(code, `batch job ${job.name} ended ${job.status}${why}`, finishedAt, job.arn),
      );
    }
    return outcomes;
  }
  const arn = job.arn;
  const members = new Set(rows);
  const { bucket, prefix, keys } = await outputKeys(s3, job.outputUri, arn);
  const seen = { total: job.records, ok: 0, failed: 0 };
  const unknown: string[] = [];
  for (const file of keys.filter((k) => k.endsWith('.out') && !k.endsWith('manifest.json.out'))) {
    await readLines(s3, bucket, file, (line) => {
      const read = readOutputLine(line, job.type, finishedAt, arn);
      if ('unknownId' in read || !members.has(read.index)) {
        unknown.push('unknownId' in read ? read.unknownId : recordId(read.index));
        return;
      }
      if (outcomes.has(read.index)) return; // a duplicate line: the first one counts
      if (read.outcome.kind === 'ok') seen.ok += 1;
      else seen.failed += 1;
      outcomes.set(read.index, read.outcome);
    });
  }
  if (unknown.length > 0)
    warn(
      `batch job ${job.name}: ${unknown.length} output records are not this job's (e.g. recordId ${unknown[0]}); ignored`,
    );
  if (seen.ok === 0 && seen.failed > 0 && seen.failed === rows.length)
    warn(
      `batch job ${job.name} ended ${job.status} with every record an error (e.g. ${firstError(outcomes)}); Bedrock charged nothing for them`,
    );
  const manifestKey = keys.find((k) => k.endsWith('manifest.json.out'));
  if (manifestKey === undefined) {
    if (keys.length > 0) warn(`batch job ${job.name}: no manifest.json.out under s3://${bucket}/${prefix}`);
  } else {
    const mismatches = manifestMismatches(parseManifest(await readText(s3, bucket, manifestKey)), seen);
    if (mismatches.length > 0)
      warn(`batch job ${job.name}: manifest.json.out disagrees: ${mismatches.join('; ')}`);
  }
  const never = NEVER_TRIED.has(job.status);
  const why = job.message ? `: ${job.message}` : '';
  for (const index of rows) {
    if (!outcomes.has(index))
      outcomes.set(
        index,
        never
          ? failed(jobEndCode(job.status), `batch job ${job.name} ended ${job.status}${why}`, finishedAt, arn)
          : failed(
              BatchCode.Missing,
              `batch job ${job.name} (${job.status}) wrote no output record for recordId ${recordId(index)}`,
              finishedAt,
              arn,
            ),
      );
  }
  for (const index of outcomes.keys()) if (!want(index)) outcomes.delete(index);
  return outcomes;
}

function firstError(outcomes: Map<number, BatchOutcome>): string {
  for (const outcome of outcomes.values())
    if (outcome.kind === 'failed') return `${outcome.code}: ${outcome.message}`;
  return 'no message';
}

function parseManifest(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
