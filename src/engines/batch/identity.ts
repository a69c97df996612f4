/**
 * Before a job is created: is there one on Bedrock that already holds these records? Its name
 * carries the content hash, so ListModelInvocationJobs finds it whatever output or machine made
 * it. A job still running, or one that ended with its output still on S3, is attached to and
 * collected from; a job of this content that ended without answering (Failed, Stopped, Expired)
 * only moves the next one to a new attempt number, so its name is not taken twice.
 */
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { S3Client } from '@aws-sdk/client-s3';
import { type FoundJob, listJobs } from './control.js';
import { outputKeys } from './files.js';
import { attemptOf, NAME_DIGITS } from './names.js';
import type { JobState } from './state.js';

const RUNNING = new Set(['Submitted', 'Validating', 'Scheduled', 'InProgress']);
const ANSWERED = new Set(['Completed', 'PartiallyCompleted']);

export type Lookup =
  | { kind: 'attach'; found: FoundJob }
  /** No job to attach to; `attempt` is the first attempt number no job of this content has. */
  | { kind: 'create'; attempt: number };

export async function lookUpContent(bedrock: BedrockClient, s3: S3Client, job: JobState): Promise<Lookup> {
  const content = job.content as string;
  const mine = (await listJobs(bedrock, content.slice(0, NAME_DIGITS)))
    .map((found) => ({ found, attempt: attemptOf(found.name, content) }))
    .filter((f): f is { found: FoundJob; attempt: number } => f.attempt !== undefined)
    .sort((a, b) => b.attempt - a.attempt);
  const running = mine.find((f) => RUNNING.has(f.found.status));
  if (running) return { kind: 'attach', found: running.found };
  for (const { found } of mine)
    if (ANSWERED.has(found.status) && (await hasManifest(s3, found))) return { kind: 'attach', found };
  const taken = mine.reduce((max, f) => Math.max(max, f.attempt), 0);
  const attempt = job.attempt ?? 1;
  return { kind: 'create', attempt: attempt > taken ? attempt : taken + 1 };
}

/** A finished job whose answers are still on S3 (they may have been deleted since). */
async function hasManifest(s3: S3Client, found: FoundJob): Promise<boolean> {
  if (found.outputUri === '') return false;
  try {
    const { keys } = await outputKeys(s3, found.outputUri, found.arn);
    return keys.some((key) => key.endsWith('manifest.json.out'));
  } catch {
    return false; // another account's bucket, or gone: not ours to collect
  }
}

/** The job takes the found one's place: its ARN, status and output, as Bedrock has them. */
export function attach(job: JobState, found: FoundJob): void {
  job.arn = found.arn;
  job.status = found.status;
  job.outputUri = found.outputUri.endsWith('/') ? found.outputUri : `${found.outputUri}/`;
  job.attached = true;
  job.message = `attached to ${found.name}, which already holds these records`;
  job.name = found.name;
  if (found.endTime) job.endTime = found.endTime;
  if (found.submitTime) job.submitTime = found.submitTime;
  if (found.expiresAt) job.expiresAt = found.expiresAt;
}
