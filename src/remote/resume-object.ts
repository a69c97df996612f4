/**
 * A results object already in S3 is what the run resumes from when this machine has no staging
 * file for it: without this, a results file copied up from a local run (or one whose hidden
 * checkpoints a lifecycle rule removed) would be ignored and every row paid again, where the same
 * file held locally resumes with no call. Downloaded whole to a temporary name beside the staging
 * file and renamed, so a failed download never leaves half a results file to resume from.
 */
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Problem } from './input.js';
import { type S3Location, s3UriOf, statusOf } from './uri.js';

/** True when the object existed and is now the staging file; false when there is none (404). */
export async function resumeFromObject(s3: S3Client, at: S3Location, staging: string): Promise<boolean> {
  if (existsSync(staging)) return false;
  const uri = s3UriOf(at.bucket, at.key);
  let body: Readable;
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    body = got.Body as Readable;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw s3Problem(error, uri, 'GetObject');
  }
  const part = `${staging}.download`;
  try {
    await pipeline(body, createWriteStream(part, { mode: 0o600 }));
    renameSync(part, staging);
  } catch (error) {
    rmSync(part, { force: true });
    throw s3Problem(error, uri, 'GetObject');
  }
  return true;
}
