/**
 * The lock of an S3 output: a lock object in the output's hidden prefix, created with a conditional
 * write (`If-None-Match: *`: S3 refuses it with 412 when the key exists, so of two runners only
 * one creates it). It names its owner (host, pid, run id) and holds an expiry; the owner refreshes
 * it every HEARTBEAT_MS by overwriting it with `If-Match` on the ETag it holds (a lost lock shows
 * as 412 instead of two owners). A second live runner stops with exit 4 naming the owner; a lock
 * whose owner was on this host and is no longer running is taken at once; one from another host
 * past its expiry (its runner died) is waited out, then taken by a conditional delete and create.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RunBatchError } from '../errors.js';
import { s3Problem } from './input.js';
import { type S3Location, s3UriOf, statusOf } from './uri.js';

export const HEARTBEAT_MS = 30_000;
export const EXPIRY_MS = 120_000;

export interface LockBody {
  host: string;
  pid: number;
  runId: string;
  heartbeat: string;
  /** How often the owner refreshes it: a reader judges the heartbeat by the owner's own pace. */
  heartbeatMs?: number;
  expires: string;
}

export interface S3Lock {
  release(): Promise<void>;
}

export interface LockOptions {
  output: string;
  /** Where waiting for a stale lock is said. */
  onWarning?: (message: string) => void;
  /** Tests shorten the timings (RUN_BATCH_S3_LOCK_MS=heartbeat,expiry). */
  heartbeatMs?: number;
  expiryMs?: number;
  signal?: AbortSignal;
}

export async function acquireS3Lock(s3: S3Client, at: S3Location, options: LockOptions): Promise<S3Lock> {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const expiryMs = options.expiryMs ?? EXPIRY_MS;
  const runId = randomUUID();
  const body = (): LockBody => ({
    host: hostname(),
    pid: process.pid,
    runId,
    heartbeat: new Date().toISOString(),
    heartbeatMs,
    expires: new Date(Date.now() + expiryMs).toISOString(),
  });
  const uri = s3UriOf(at.bucket, at.key);
  let etag: string | undefined;
  for (;;) {
    etag = await put(s3, at, body(), { IfNoneMatch: '*' });
    if (etag !== undefined) break;
    const held = await read(s3, at);
    if (!held) continue; // released in between: try again
    const owner = `${held.body.host} pid ${held.body.pid} (run ${held.body.runId})`;
    // Its runner on this host is gone (kill -9, a crash): taken at once, as the local lock does.
    if (held.body.host === hostname() && !runningHere(held.body.pid)) {
      options.onWarning?.(
        `${options.output}: took over the lock of ${owner}: that process is no longer running on this host`,
      );
      await deleteIfStill(s3, at, held.etag, uri);
      continue;
    }
    const left = Date.parse(held.body.expires) - Date.now();
    const heartbeatAge = Date.now() - Date.parse(held.body.heartbeat);
    if (left > 0 && heartbeatAge <= (held.body.heartbeatMs ?? HEARTBEAT_MS) * 2)
      throw new RunBatchError(
        'LOCKED',
        `${options.output} is being written by another run: ${owner}, heartbeat ${Math.round(heartbeatAge / 1000)} s ago (lock ${uri}); wait for it to finish`,
      );
    if (left > 0) {
      options.onWarning?.(
        `${options.output}: the lock of ${owner} has had no heartbeat for ${Math.round(heartbeatAge / 1000)} s; waiting ${Math.ceil(left / 1000)} s for it to expire, then taking it`,
      );
      await sleep(left + 50, options.signal);
      continue; // read again: it may have been refreshed meanwhile
    }
    options.onWarning?.(`${options.output}: took over the expired lock of ${owner}`);
    await deleteIfStill(s3, at, held.etag, uri);
  }
  let lost: string | undefined;
  const timer = setInterval(() => {
    void (async () => {
      try {
        const next = await put(s3, at, body(), { IfMatch: etag });
        if (next === undefined) {
          // Only a heartbeat late past the expiry lets another run take it: said, never silent.
          lost = 'another run took the lock';
          clearInterval(timer);
          options.onWarning?.(
            `the lock ${uri} was taken by another run (this run's heartbeat came after its expiry): two runs may now write ${options.output}`,
          );
        } else etag = next;
      } catch (error) {
        options.onWarning?.(`could not refresh the lock ${uri}: ${(error as Error).message}`);
      }
    })();
  }, heartbeatMs);
  timer.unref();
  return {
    release: async () => {
      clearInterval(timer);
      if (lost) return;
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: at.bucket, Key: at.key, IfMatch: etag }));
      } catch (error) {
        options.onWarning?.(`could not release the lock ${uri}: ${(error as Error).message}`);
      }
    },
  };
}

/** Deleted only if it is still the lock read (If-Match): a runner that took it meanwhile keeps it. */
async function deleteIfStill(s3: S3Client, at: S3Location, etag: string, uri: string): Promise<void> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: at.bucket, Key: at.key, IfMatch: etag }));
  } catch (error) {
    if (statusOf(error) !== 412 && statusOf(error) !== 404) throw s3Problem(error, uri, 'DeleteObject');
  }
}

/** Whether a pid of this host is running; EPERM means it is (someone else's), ESRCH that it is not. */
function runningHere(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** A conditional PutObject: its ETag, or undefined when the condition failed (412, or 409 racing). */
async function put(
  s3: S3Client,
  at: S3Location,
  body: LockBody,
  condition: { IfNoneMatch?: string; IfMatch?: string | undefined },
): Promise<string | undefined> {
  try {
    const out = await s3.send(
      new PutObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        Body: `${JSON.stringify(body)}\n`,
        ContentType: 'application/json',
        ...condition,
      }),
    );
    return out.ETag ?? '';
  } catch (error) {
    const status = statusOf(error);
    if (status === 412 || status === 409) return undefined;
    throw s3Problem(error, s3UriOf(at.bucket, at.key), 'PutObject');
  }
}

async function read(s3: S3Client, at: S3Location): Promise<{ body: LockBody; etag: string } | undefined> {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    const text = (await got.Body?.transformToString()) ?? '';
    return { body: JSON.parse(text) as LockBody, etag: got.ETag ?? '' };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    if (error instanceof SyntaxError)
      throw new RunBatchError(
        'LOCKED',
        `the lock ${s3UriOf(at.bucket, at.key)} is not a run-batch lock (not JSON): remove it by hand if no run holds it`,
      );
    throw s3Problem(error, s3UriOf(at.bucket, at.key), 'GetObject');
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new RunBatchError('STOPPED', `${String(signal.reason)} while waiting for a stale S3 lock`));
      },
      { once: true },
    );
  });
}
