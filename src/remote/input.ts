/**
 * An S3 input made local: the object (or every object of a prefix or glob, in key order) streamed
 * into a private local copy that both passes of the plan read, with each object's ETag kept, so the
 * run can check before its final write that the input is still what it read (etagsChanged).
 * `.gz` objects are gunzipped on the way. Several CSV objects are one input: each must begin with
 * the same header line, which is kept once (the first object's); JSONL objects are joined as they
 * are. Parquet objects cannot be joined byte-wise: a prefix of them is refused.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { RunBatchError } from '../errors.js';
import { globMatcher, isHiddenKey, isManyObjects, parseS3Uri, s3UriOf, statusOf } from './uri.js';

export interface S3Object {
  bucket: string;
  key: string;
  etag: string;
}

export interface LocalInput {
  path: string;
  objects: S3Object[];
  dispose(): void;
}

const DATA = /\.(csv|jsonl|ndjson|parquet)(\.gz)?$/i;

/** The objects an input names: one, or every data object of a prefix or glob, in key order. */
export async function objectsOf(s3: S3Client, uri: string): Promise<S3Object[]> {
  const found = await listObjects(s3, uri);
  const kinds = new Set(found.map((o) => kindOf(o.key)));
  if (kinds.size > 1)
    throw new RunBatchError(
      'INPUT',
      `${uri}: the objects are of several formats (${[...kinds].join(', ')}): one input is one format`,
    );
  if (found.length > 1 && kinds.has('parquet'))
    throw new RunBatchError(
      'INPUT',
      `${uri}: ${found.length} Parquet objects: a prefix of Parquet objects is not read as one input yet; name one object`,
    );
  return found;
}

/** One object, or the data objects (.csv, .jsonl, .parquet, maybe .gz) of a prefix or glob, in key order. */
export async function listObjects(s3: S3Client, uri: string): Promise<S3Object[]> {
  const { bucket, key } = parseS3Uri(uri);
  if (!isManyObjects(uri)) {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return [{ bucket, key, etag: head.ETag ?? '' }];
    } catch (error) {
      throw s3Problem(error, uri, 'HeadObject');
    }
  }
  const { listPrefix, matches } = globMatcher(key);
  const found: S3Object[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) {
        const k = item.Key ?? '';
        if (matches(k) && !isHiddenKey(k) && DATA.test(k))
          found.push({ bucket, key: k, etag: item.ETag ?? '' });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw s3Problem(error, uri, 'ListObjectsV2');
  }
  if (found.length === 0)
    throw new RunBatchError('INPUT', `${uri}: no .csv, .jsonl or .parquet objects there`);
  found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return found;
}

/** Streams the objects into one private file (mode 0600 in a 0700 directory). */
export async function fetchInput(s3: S3Client, uri: string, signal?: AbortSignal): Promise<LocalInput> {
  const objects = await objectsOf(s3, uri);
  const dir = mkdtempSync(join(tmpdir(), 'run-batch-s3-'));
  const last = objects[objects.length - 1] as S3Object;
  const path = join(dir, last.key.slice(last.key.lastIndexOf('/') + 1).replace(/\.gz$/i, ''));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const out = createWriteStream(path, { mode: 0o600 });
    let header: string | undefined;
    for (const [i, object] of objects.entries()) {
      const body = await download(s3, object, signal);
      const csv = kindOf(object.key) === 'csv';
      const parts: Transform[] = [];
      if (/\.gz$/i.test(object.key)) parts.push(createGunzip() as unknown as Transform);
      if (objects.length > 1) {
        const check = csv
          ? headerOnce(
              object,
              header,
              (h) => {
                header = h;
              },
              i > 0,
            )
          : endWithNewline();
        parts.push(check);
      }
      // node's typings take a fixed number of stages; this one has one to three.
      const run = pipeline as unknown as (...stages: unknown[]) => Promise<void>;
      await run(
        body,
        ...parts,
        (source: AsyncIterable<Buffer>) => writeAll(source, out),
        signal ? { signal } : {},
      );
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    dispose();
    if (error instanceof RunBatchError) throw error;
    if (signal?.aborted)
      throw new RunBatchError('STOPPED', `${String(signal.reason)} while reading ${uri}; nothing was sent`);
    throw new RunBatchError('INPUT', `${uri}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  return { path, objects, dispose };
}

/** The objects whose ETag is not the one read (or that are gone): the input changed under the run. */
export async function etagsChanged(s3: S3Client, objects: readonly S3Object[]): Promise<string[]> {
  const changed: string[] = [];
  for (const object of objects) {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
      if (head.ETag !== object.etag) changed.push(s3UriOf(object.bucket, object.key));
    } catch (error) {
      if (statusOf(error) !== 404) throw s3Problem(error, s3UriOf(object.bucket, object.key), 'HeadObject');
      changed.push(s3UriOf(object.bucket, object.key));
    }
  }
  return changed;
}

function kindOf(key: string): string {
  const ext = DATA.exec(key)?.[1]?.toLowerCase() ?? '';
  return ext === 'ndjson' ? 'jsonl' : ext;
}

async function download(s3: S3Client, object: S3Object, signal?: AbortSignal): Promise<Readable> {
  try {
    // IfMatch: the bytes read are the object listed (an object replaced in between is an error).
    const got = await s3.send(
      new GetObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: object.etag || undefined }),
      signal ? { abortSignal: signal } : {},
    );
    return got.Body as Readable;
  } catch (error) {
    throw s3Problem(error, s3UriOf(object.bucket, object.key), 'GetObject');
  }
}

async function writeAll(source: AsyncIterable<Buffer>, out: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of source) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
}

/**
 * A CSV object's first line is its header: the first object's is kept, a later object's is dropped
 * when it is the same and refused when it is not (the columns would shift silently otherwise).
 * A header is one physical line here (a quoted newline inside a header name is not supported).
 */
function headerOnce(
  object: S3Object,
  kept: string | undefined,
  keep: (h: string) => void,
  drop: boolean,
): Transform {
  let pending: Buffer | undefined = Buffer.alloc(0);
  let lastByte = 0x0a;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1] as number;
      if (pending === undefined) return done(null, chunk);
      pending = Buffer.concat([pending, chunk]);
      const nl = pending.indexOf(0x0a);
      if (nl < 0) return done();
      const line = pending
        .subarray(0, nl + 1)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .replace(/\r?\n$/, '');
      const rest = pending.subarray(nl + 1);
      pending = undefined;
      if (!drop) {
        keep(line);
        return done(null, Buffer.concat([Buffer.from(`${line}\n`), rest]));
      }
      if (line !== kept)
        return done(
          new RunBatchError(
            'INPUT',
            `${s3UriOf(object.bucket, object.key)}: its header line is not the first object's (${JSON.stringify(line)} vs ${JSON.stringify(kept)}): every object of one input needs the same columns`,
          ),
        );
      return done(null, rest);
    },
    flush(done) {
      if (pending !== undefined && pending.length > 0) {
        // A header line with no newline and no rows.
        if (!drop) keep(pending.toString('utf8'));
        return done(null, drop ? Buffer.alloc(0) : Buffer.concat([pending, Buffer.from('\n')]));
      }
      done(null, lastByte === 0x0a ? undefined : Buffer.from('\n'));
    },
  });
}

/** Joined objects: one that does not end in a newline would run its last row into the next's first. */
function endWithNewline(): Transform {
  let lastByte = 0x0a;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1] as number;
      done(null, chunk);
    },
    flush(done) {
      done(null, lastByte === 0x0a ? undefined : Buffer.from('\n'));
    },
  });
}

export function s3Problem(error: unknown, uri: string, operation: string): RunBatchError {
  if (error instanceof RunBatchError) return error;
  const status = statusOf(error);
  if (status === 404)
    return new RunBatchError('INPUT', `${uri}: no such object or bucket in S3 (${operation}: 404)`);
  if (status === 403)
    return new RunBatchError(
      'CONFIG',
      `${uri}: S3 refused access (${operation}: 403 Forbidden); see docs/s3.md for the permissions a run needs`,
    );
  return new RunBatchError('CONFIG', `${uri}: ${operation} failed: ${(error as Error).message}`, {
    cause: error,
  });
}
