/**
 * A run whose input or output is in S3, made local at the edges so the run itself is what it is
 * for local files: the input is streamed into a private copy both passes read (input.ts); the
 * output is written to a local staging file (staging.ts) under the S3 lock (lock.ts), checkpointed
 * to S3 as the run goes (checkpoint.ts) and written to S3 whole at the end, with its summary.
 * A run elsewhere with the same command first takes the checkpoints into its ledger, so it pays
 * again at most the answers bought after the last checkpoint plus those in flight (docs/s3.md).
 */
import { readFileSync } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { RunBatchError } from '../errors.js';
import type { JobSpec } from '../job/spec.js';
import { realOutput } from '../output/lock.js';
import { Checkpoints } from './checkpoint.js';
import { s3Client } from './client.js';
import { etagsChanged, fetchInput, type LocalInput } from './input.js';
import { acquireS3Lock, type S3Lock } from './lock.js';
import { resumeFromObject } from './resume-object.js';
import { stagingPath } from './staging.js';
import { putJson, uploadFile } from './upload.js';
import { hiddenPrefixOf, isManyObjects, isS3Uri, parseS3Uri } from './uri.js';

/** What this needs of a run's deps and summary (run/deps.ts, run/summary.ts). */
export interface RemoteDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  onWarning?: (message: string) => void;
  onInfo?: (message: string) => void;
  onProgress?: (progress: never) => void;
  softStop?: AbortSignal;
}
export interface RemoteSummary {
  input: string;
  output: string;
  exitCode: number;
}

export const isRemoteRun = (spec: Pick<JobSpec, 'input' | 'output'>): boolean =>
  isS3Uri(spec.input) || isS3Uri(spec.output);

export async function runRemote<D extends RemoteDeps, S extends RemoteSummary>(
  given: JobSpec,
  deps: D,
  local: (spec: JobSpec, deps: D) => Promise<S>,
): Promise<S> {
  const env = deps.env ?? process.env;
  const s3 = s3Client({ env, region: given.region, ...(given.profile ? { profile: given.profile } : {}) });
  let input: LocalInput | undefined;
  let lock: S3Lock | undefined;
  let checkpoints: Checkpoints | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    let spec = given;
    if (isS3Uri(given.output)) {
      if (isManyObjects(given.output))
        throw new RunBatchError(
          'USAGE',
          `-o ${given.output}: an S3 output must name an object key (s3://bucket/path/results.csv), not a prefix or a glob`,
        );
      const target = parseS3Uri(given.output);
      const hidden = hiddenPrefixOf(target);
      // Taken before the input is read: a second runner stops at once (exit 4) and touches nothing.
      lock = await acquireS3Lock(
        s3,
        { bucket: target.bucket, key: `${hidden}lock.json` },
        {
          output: given.output,
          ...lockTimings(env),
          ...(deps.onWarning ? { onWarning: deps.onWarning } : {}),
          ...(deps.softStop ? { signal: deps.softStop } : {}),
        },
      );
      const staging = realOutput(stagingPath(given.output, env, deps.cwd ?? process.cwd()));
      spec = { ...spec, output: staging };
      if (await resumeFromObject(s3, target, staging))
        deps.onInfo?.(`resuming from the results already in ${given.output}`);
      if (given.ledger?.path === undefined)
        deps.onWarning?.(
          `--no-ledger: ${given.output} gets no checkpoints (they are the ledger's entries); a run elsewhere starts over`,
        );
      else {
        checkpoints = new Checkpoints(
          s3,
          {
            bucket: target.bucket,
            prefix: hidden,
            output: staging,
            ledgerPath: given.ledger.path,
            batchState: `${staging}.batch.json`,
          },
          deps.onWarning,
        );
        const taken = await checkpoints.importAll();
        if (taken > 0)
          deps.onInfo?.(
            `took ${taken} answers from the checkpoints of ${given.output} into the answer ledger`,
          );
      }
    }
    if (isS3Uri(given.input)) {
      input = await fetchInput(s3, given.input, deps.softStop);
      spec = { ...spec, input: input.path };
    }
    const runDeps = checkpoints ? withCheckpoints(deps, spec, checkpoints, (t) => (timer = t)) : deps;
    let summary: S;
    try {
      summary = await local(spec, runDeps);
    } finally {
      if (timer) clearInterval(timer);
      // Every answer bought reaches S3, whatever ended the run.
      await checkpoints
        ?.checkpoint()
        .catch((error: Error) => deps.onWarning?.(`last checkpoint failed: ${error.message}`));
    }
    if (input) {
      const changed = await etagsChanged(s3, input.objects);
      if (changed.length > 0)
        throw new RunBatchError(
          'STOPPED',
          `${changed.join(', ')}: the input changed in S3 while the run read it (its ETag is not the one read); ` +
            `${isS3Uri(given.output) ? 'the results were not written to S3; ' : ''}run again`,
        );
    }
    const result = { ...summary, input: given.input, output: given.output };
    if (isS3Uri(given.output)) await finish(s3, given.output, spec.output, result);
    return result;
  } finally {
    if (timer) clearInterval(timer);
    checkpoints?.close();
    await lock?.release();
    input?.dispose();
    s3.destroy();
  }
}

/** The whole object once every row ran (exit 0 or 1), and the summary beside it on every end. */
async function finish(s3: S3Client, uri: string, staging: string, summary: RemoteSummary): Promise<void> {
  const target = parseS3Uri(uri);
  if (summary.exitCode === 0 || summary.exitCode === 1) await uploadFile(s3, target, staging);
  let written: Record<string, unknown> = { ...summary };
  try {
    written = {
      ...(JSON.parse(readFileSync(`${staging}.summary.json`, 'utf8')) as object),
      input: summary.input,
      output: uri,
    };
  } catch {
    // the summary returned is the same facts
  }
  await putJson(s3, { bucket: target.bucket, key: `${target.key}.summary.json` }, written);
}

/** A checkpoint every N finished rows (counted on progress) or every N seconds. */
function withCheckpoints<D extends RemoteDeps>(
  deps: D,
  spec: JobSpec,
  checkpoints: Checkpoints,
  setTimer: (timer: NodeJS.Timeout) => void,
): D {
  const save = () =>
    checkpoints
      .checkpoint()
      .catch((error: Error) =>
        deps.onWarning?.(`checkpoint to S3 failed (the next one retries): ${error.message}`),
      );
  const every = spec.checkpointEvery ?? { seconds: 60 };
  if ('seconds' in every) {
    const timer = setInterval(save, every.seconds * 1000);
    timer.unref();
    setTimer(timer);
    return deps;
  }
  let rows = 0;
  const onProgress = deps.onProgress;
  return {
    ...deps,
    onProgress: (progress: never) => {
      onProgress?.(progress);
      if (++rows % every.rows === 0) void save();
    },
  };
}

/** RUN_BATCH_S3_LOCK_MS=heartbeat,expiry: tests shorten the lock's 30 s and 2 minutes. */
function lockTimings(env: NodeJS.ProcessEnv): { heartbeatMs?: number; expiryMs?: number } {
  const [heartbeat, expiry] = (env.RUN_BATCH_S3_LOCK_MS ?? '').split(',').map(Number);
  return heartbeat && expiry && heartbeat > 0 && expiry > 0
    ? { heartbeatMs: heartbeat, expiryMs: expiry }
    : {};
}
