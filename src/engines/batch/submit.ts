/**
 * Submits planned jobs while their model has room (the jobs-in-flight quota), and cancels. Each job's
 * state (with its token) is already on disk from planning; the ARN is saved the moment Create
 * answers. Create gets no abort signal: cut off mid-call, it could leave a job Bedrock made but the
 * state never heard of (a rerun would still find it by token, but there is no reason to risk it).
 */
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { S3Client } from '@aws-sdk/client-s3';
import { createJob, getJob, stopJob } from './control.js';
import { uploadInput } from './files.js';
import { attach, lookUpContent } from './identity.js';
import { nameJob } from './plan.js';
import type { BatchRecord } from './records.js';
import type { BatchSettings } from './settings.js';
import { type BatchState, fromRangesSet, type JobState, openJobs, TERMINAL } from './state.js';

export interface SubmitContext {
  bedrock: BedrockClient;
  s3: S3Client;
  settings: BatchSettings;
  records: Map<number, BatchRecord>;
  save: () => void;
  warn: (message: string) => void;
  signal?: AbortSignal;
  partSize?: number;
}

export function inFlight(job: JobState): boolean {
  return job.arn !== undefined && !TERMINAL.has(job.status);
}

/** Submits what fits; returns how many jobs were created this time. Throws on a transient failure. */
export async function submitReady(state: BatchState, ctx: SubmitContext): Promise<number> {
  const flying = new Map<string, number>();
  for (const job of state.jobs) if (inFlight(job)) flying.set(job.model, (flying.get(job.model) ?? 0) + 1);
  const full = new Set<string>();
  let created = 0;
  for (const job of openJobs(state)) {
    if (job.status !== 'Planned' || full.has(job.model)) continue;
    if ((flying.get(job.model) ?? 0) >= ctx.settings.limits.jobsInFlightPerModel) continue;
    if (ctx.signal?.aborted) return created;
    // A job holding these records may exist already: made by another output, another machine, or
    // by this one before a kill or a Create whose answer was lost. Attach to it; never pay twice.
    if (job.content !== undefined) {
      const lookup = await lookUpContent(ctx.bedrock, ctx.s3, job);
      if (lookup.kind === 'attach') {
        attach(job, lookup.found);
        Object.assign(job, await getJob(ctx.bedrock, lookup.found.arn));
        ctx.warn(
          `batch job ${job.name} (${job.status}) already holds these ${job.records} records: collecting it instead of submitting again`,
        );
        if (inFlight(job)) flying.set(job.model, (flying.get(job.model) ?? 0) + 1);
        ctx.save();
        continue;
      }
      if (lookup.attempt !== job.attempt) {
        nameJob(job, ctx.settings, lookup.attempt);
        ctx.save();
      }
    }
    const records = [...fromRangesSet(job.rows)].map((index) => ctx.records.get(index) as BatchRecord);
    await uploadInput(ctx.s3, job.inputUri, records, job.files, {
      ...(ctx.partSize === undefined ? {} : { partSize: ctx.partSize }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    const { roleArn, timeoutHours, tags } = ctx.settings;
    const result = await createJob(ctx.bedrock, job, roleArn, timeoutHours, tags);
    if (result.kind === 'full') {
      // Someone else's jobs may hold the quota too: wait for a slot rather than fail the rows.
      // Said once per job, not every poll round it keeps waiting.
      full.add(job.model);
      const waiting = `waits for a slot: ${result.message}`;
      if (job.message !== waiting) ctx.warn(`batch job ${job.name} ${waiting}`);
      job.message = waiting;
      continue;
    }
    if (result.kind === 'refused') {
      job.status = 'Failed';
      job.message = `CreateModelInvocationJob refused it (${result.code}): ${result.message}`;
      ctx.warn(`batch job ${job.name}: ${job.message}`);
    } else {
      job.arn = result.arn;
      job.status = 'Submitted';
      delete job.message;
      flying.set(job.model, (flying.get(job.model) ?? 0) + 1);
      created += 1;
    }
    ctx.save();
  }
  return created;
}

/** --cancel: stops every running job of this output; planned ones are never submitted. */
export async function cancelJobs(state: BatchState, ctx: SubmitContext): Promise<number> {
  let stopped = 0;
  for (const job of openJobs(state)) {
    if (job.status === 'Planned') {
      job.status = 'Stopped';
      job.message = 'cancelled (--cancel) before it was submitted';
      continue;
    }
    if (job.arn === undefined || TERMINAL.has(job.status)) continue;
    const problem = await stopJob(ctx.bedrock, job.arn);
    if (problem !== undefined) ctx.warn(`batch job ${job.name}: StopModelInvocationJob: ${problem}`);
    else stopped += 1;
    Object.assign(job, await getJob(ctx.bedrock, job.arn));
  }
  ctx.save();
  return stopped;
}
