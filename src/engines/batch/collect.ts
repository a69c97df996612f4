/**
 * Collects a finished job: reads every `*.jsonl.out` under `<outputUri><job id>/` (in whatever order
 * Bedrock wrote the records), maps each record to its row by recordId, turns records that failed or
 * never came back into failed outcomes, and checks the counts against `manifest.json.out` (a
 * mismatch is a warning: the records read are still the truth for each row).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { fromRanges } from './chunk.js';
import { listKeys, readLines, readText, splitUri } from './files.js';
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

/** Statuses whose output is read; the others (Failed, Stopped, Expired) leave every record not done. */
const READABLE = new Set(['Completed', 'PartiallyCompleted']);

export async function collectJob(
  s3: S3Client,
  job: JobState,
  want: (index: number) => boolean,
  warn: (message: string) => void,
): Promise<Map<number, BatchOutcome>> {
  const finishedAt = job.endTime ? new Date(job.endTime) : new Date();
  const rows = fromRanges(job.rows);
  const outcomes = new Map<number, BatchOutcome>();
  if (!READABLE.has(job.status) || job.arn === undefined) {
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
  const { bucket, key } = splitUri(job.outputUri);
  const prefix = `${key}${arn.slice(arn.lastIndexOf('/') + 1)}/`;
  const keys = await listKeys(s3, bucket, prefix);
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
  const manifestKey = keys.find((k) => k.endsWith('manifest.json.out'));
  if (manifestKey === undefined)
    warn(`batch job ${job.name}: no manifest.json.out under s3://${bucket}/${prefix}`);
  else {
    const mismatches = manifestMismatches(parseManifest(await readText(s3, bucket, manifestKey)), seen);
    if (mismatches.length > 0)
      warn(`batch job ${job.name}: manifest.json.out disagrees: ${mismatches.join('; ')}`);
  }
  for (const index of rows) {
    if (!outcomes.has(index))
      outcomes.set(
        index,
        failed(
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

function parseManifest(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
