/**
 * For the S3 input/output tests: an S3 server (the emulator's own, or moto), a client on it, the
 * CLI's environment for one "machine" (its own HOME, XDG cache and answer ledger), and readers of
 * what the run left in S3.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { FAKE_AWS_ENV } from './cli.js';

export function s3At(url: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: url,
    forcePathStyle: true,
    credentials: {
      accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function makeBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (
      (error as Error).name !== 'BucketAlreadyOwnedByYou' &&
      (error as Error).name !== 'BucketAlreadyExists'
    )
      throw error;
  }
}

export async function put(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await got.Body?.transformToString('utf8');
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return undefined;
    throw error;
  }
}

export async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

/** Entries checkpointed so far under an output's hidden prefix. */
export async function checkpointed(s3: S3Client, bucket: string, hidden: string): Promise<number> {
  let n = 0;
  for (const key of await keysUnder(s3, bucket, `${hidden}segments/`)) {
    const text = (await getText(s3, bucket, key)) ?? '';
    n += text.split('\n').filter((l) => l.trim() !== '').length;
  }
  return n;
}

/**
 * The answers bought since `since` (an ISO time) that are in the output's checkpoints: distinct
 * ledger keys among the segments' entries created since then. A run also checkpoints answers an
 * earlier run on its machine bought and did not checkpoint (its ledger still holds them); those are
 * not what it bought.
 */
export async function checkpointedSince(
  s3: S3Client,
  bucket: string,
  hidden: string,
  since: string,
): Promise<number> {
  const keys = new Set<string>();
  for (const key of await keysUnder(s3, bucket, `${hidden}segments/`)) {
    for (const line of ((await getText(s3, bucket, key)) ?? '').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as { key: string; createdAt: string };
      if (entry.createdAt >= since) keys.add(entry.key);
    }
  }
  return keys.size;
}

/** One machine: a working directory (also HOME), its cache and its own ledger. */
export interface Machine {
  dir: string;
  env: Record<string, string>;
  /** Where this machine stages an S3 output. */
  staging(uri: string): string;
}

export function machine(s3Url: string, bedrock: Record<string, string>): Machine {
  const dir = mkdtempSync(join(tmpdir(), 'rb-s3-machine-'));
  const env = {
    ...bedrock,
    AWS_ENDPOINT_URL_S3: s3Url,
    AWS_EC2_METADATA_DISABLED: 'true',
    XDG_CACHE_HOME: join(dir, 'cache'),
    RUN_BATCH_LEDGER: join(dir, 'ledger.db'),
  };
  const staging = (uri: string) =>
    join(
      dir,
      'cache',
      'run-batch',
      's3',
      createHash('sha256').update(uri).digest('hex').slice(0, 16),
      uri.slice(uri.lastIndexOf('/') + 1),
    );
  return { dir, env, staging };
}

export function csvRows(n: number, from = 1, word = 'Question'): string {
  const lines = Array.from(
    { length: n },
    (_, i) => `r${String(from + i).padStart(4, '0')},${word} ${from + i}`,
  );
  return `id,prompt\n${lines.join('\n')}\n`;
}

/**
 * After a kill: waits until the dead run's lock shows a stopped heartbeat (older than twice the
 * owner's pace), as a rerun that comes later would find it; a rerun sooner would rightly exit 4.
 */
export async function untilLockStale(s3: S3Client, bucket: string, hidden: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const text = await getText(s3, bucket, `${hidden}lock.json`);
    if (text === undefined) return;
    const lock = JSON.parse(text) as { heartbeat: string; heartbeatMs?: number };
    if (Date.now() - Date.parse(lock.heartbeat) > 2 * (lock.heartbeatMs ?? 30_000) + 50) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the killed run's lock kept a live heartbeat");
}
