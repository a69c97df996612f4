/**
 * The job's files on S3. Input goes to `<prefix><job name>/input/records-NNNN.jsonl` (streamed
 * through lib-storage's Upload, which switches to a multipart upload past one part), output comes
 * back under `<prefix><job name>/output/<job id>/` as Bedrock writes it (reference §10.7): one
 * `<input file>.out` per input file and `manifest.json.out`.
 */

import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BatchRecord } from './records.js';

/** The job's input folder, relative to the --s3 prefix. */
export function jobInputKey(job: string): string {
  return `${job}/input/`;
}

/** The job's output folder, relative to the --s3 prefix; Bedrock adds `<job id>/` inside it. */
export function jobOutputKey(job: string): string {
  return `${job}/output/`;
}

export function inputFileName(file: number): string {
  return `records-${String(file + 1).padStart(4, '0')}.jsonl`;
}

/**
 * Where a job's output may be, in the order to look: `<output uri>/<job id>/` (Bedrock's layout),
 * then the output prefix itself (where some tools and stand-ins write it).
 */
export function outputPrefixes(outputUri: string, arn: string): string[] {
  const { key } = splitUri(outputUri);
  const base = key === '' || key.endsWith('/') ? key : `${key}/`;
  return [`${base}${arn.slice(arn.lastIndexOf('/') + 1)}/`, base];
}

/**
 * The keys of a job's output files (`*.out`, the manifest among them): under the job id's folder,
 * or, when that holds none, directly under the output prefix (not in another job's folder).
 */
export async function outputKeys(
  s3: S3Client,
  outputUri: string,
  arn: string,
): Promise<{ bucket: string; prefix: string; keys: string[] }> {
  const { bucket } = splitUri(outputUri);
  const [folder, base] = outputPrefixes(outputUri, arn) as [string, string];
  const inFolder = (await listKeys(s3, bucket, folder)).filter((k) => k.endsWith('.out'));
  if (inFolder.length > 0) return { bucket, prefix: folder, keys: inFolder };
  const flat = (await listKeys(s3, bucket, base)).filter(
    (k) => k.endsWith('.out') && !k.slice(base.length).includes('/'),
  );
  return { bucket, prefix: flat.length > 0 ? base : folder, keys: flat };
}

/** s3://bucket/key -> its parts. */
export function splitUri(uri: string): { bucket: string; key: string } {
  const rest = uri.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, key: '' } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

export interface UploadOptions {
  /** Bytes per multipart part (S3's minimum is 5 MiB). @default 8 MiB */
  partSize?: number;
  signal?: AbortSignal;
}

/** Uploads a job's input files; uploading again writes the same bytes, so a retry is harmless. */
export async function uploadInput(
  s3: S3Client,
  inputUri: string,
  records: readonly BatchRecord[],
  files: readonly number[],
  options: UploadOptions = {},
): Promise<void> {
  const { bucket, key } = splitUri(inputUri);
  let at = 0;
  for (const [file, count] of files.entries()) {
    const part = records.slice(at, at + count);
    at += count;
    const upload = new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: `${key}${inputFileName(file)}`,
        Body: Readable.from(lines(part)),
        ContentType: 'application/jsonl',
      },
      partSize: options.partSize ?? 8 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }
}

// Buffers of about 1 MiB, so a big file is neither built in memory whole nor sent in tiny pieces.
function* lines(records: readonly BatchRecord[]): Generator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for (const record of records) {
    pending.push(record.line);
    size += record.bytes;
    if (size >= 1 << 20) {
      yield Buffer.from(pending.join(''));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''));
}

/** Every key under a prefix, page by page (S3 gives at most 1,000 a page). */
export async function listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
  pageSize?: number,
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(pageSize === undefined ? {} : { MaxKeys: pageSize }),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Calls `onLine` for every non-empty line of an object, streamed, so a 1 GB output is fine. */
export async function readLines(
  s3: S3Client,
  bucket: string,
  key: string,
  onLine: (line: string, lineNumber: number) => void,
): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = object.Body as Readable | undefined;
  if (!body) return;
  let n = 0;
  for await (const line of createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY })) {
    n += 1;
    if (line.trim() !== '') onLine(line, n);
  }
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString('utf8')) ?? '';
}
