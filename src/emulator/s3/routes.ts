/**
 * The emulator's S3 API, path-style (`/bucket/key`), over the in-memory store: buckets (Create,
 * Head, Delete, ListBuckets), objects (Put, Get with Range, Head, Delete, DeleteObjects,
 * ListObjectsV2) and multipart uploads (Create, UploadPart, Complete, Abort) as
 * `@aws-sdk/lib-storage` drives them; writes and deletes take `If-None-Match: *` and `If-Match`.
 */
import type { Request, Response } from '../wire/http.js';
import { header } from '../wire/http.js';
import { verifyDigests } from './checksums.js';
import { readS3Body, type S3Body } from './chunked.js';
import { parseDelete, parseParts } from './documents.js';
import { checkImplemented } from './implemented.js';
import { listObjectsV2 } from './list.js';
import { checksumHeaders, objectReply, type Reply, reply } from './object-reply.js';
import { type MemoryStore, StoreError } from './store.js';
import { document, elements, newRequestId, S3Error, send, sendS3Error } from './xml.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export async function handleS3(
  req: Request,
  res: Response,
  path: string,
  query: URLSearchParams,
  store: MemoryStore,
): Promise<void> {
  const requestId = newRequestId();
  const method = req.method ?? 'GET';
  const slash = path.indexOf('/', 1);
  const bucket = decode(slash < 0 ? path.slice(1) : path.slice(1, slash));
  const key = slash < 0 ? '' : decode(path.slice(slash + 1));
  try {
    const received = await readS3Body(req);
    if (bucket === '') {
      if (method !== 'GET') throw new S3Error('MethodNotAllowed');
      const buckets = store.bucketNames().map(
        (name) =>
          `<Bucket>${elements([
            ['Name', name],
            ['CreationDate', new Date(0).toISOString()],
          ])}</Bucket>`,
      );
      const list = document('ListAllMyBucketsResult', `<Buckets>${buckets.join('')}</Buckets>`);
      return send(res, 200, requestId, list);
    }
    checkImplemented(req, method, key === '', query);
    const answer =
      key === ''
        ? bucketOperation(req, method, bucket, query, received.body, store)
        : await objectOperation(req, method, bucket, key, query, received, store);
    return send(res, answer.status, requestId, answer.body, answer.headers);
  } catch (error) {
    const known = toS3Error(error, bucket, key);
    sendS3Error(res, known, requestId, method === 'HEAD');
  }
}

function bucketOperation(
  req: Request,
  method: string,
  bucket: string,
  query: URLSearchParams,
  body: Buffer,
  store: MemoryStore,
): Reply {
  if (method === 'PUT') {
    if (!BUCKET_NAME.test(bucket)) throw new S3Error('InvalidBucketName', { BucketName: bucket });
    // S3 answers a second CreateBucket of your own bucket with 200 in us-east-1 (its legacy
    // behaviour) and BucketAlreadyOwnedByYou in every other region (CreateBucket documentation).
    if (!store.createBucket(bucket) && bucketRegion(req, body) !== 'us-east-1')
      throw new S3Error('BucketAlreadyOwnedByYou', { BucketName: bucket });
    return reply(200, '', { location: `/${bucket}` });
  }
  if (!store.hasBucket(bucket)) throw new S3Error('NoSuchBucket', { BucketName: bucket });
  if (method === 'HEAD') return reply(200, '', { 'x-amz-bucket-region': 'us-east-1' });
  if (method === 'DELETE') {
    if (store.deleteBucket(bucket) === 'not-empty')
      throw new S3Error('BucketNotEmpty', { BucketName: bucket });
    return reply(204);
  }
  if (method === 'GET' && query.has('location'))
    return reply(
      200,
      '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>',
    );
  if (method === 'POST' && query.has('delete')) {
    const { keys, quiet } = parseDelete(body);
    for (const key of keys) store.delete(bucket, key);
    const deleted = quiet ? [] : keys.map((key) => `<Deleted>${elements([['Key', key]])}</Deleted>`);
    return reply(200, document('DeleteResult', deleted.join('')));
  }
  if (method === 'GET' && query.get('list-type') === '2')
    return reply(200, listObjectsV2(store, bucket, query));
  throw new S3Error('NotImplemented');
}

/** The region a bucket is created in: its LocationConstraint, else the request's signing region. */
function bucketRegion(req: Request, body: Buffer): string {
  const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(body.toString('utf8'))?.[1];
  if (constraint) return constraint;
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(header(req, 'authorization') ?? '')?.[1];
  return scope ?? 'us-east-1';
}

async function objectOperation(
  req: Request,
  method: string,
  bucket: string,
  key: string,
  query: URLSearchParams,
  received: S3Body,
  store: MemoryStore,
): Promise<Reply> {
  const { body } = received;
  if (!store.hasBucket(bucket)) throw new S3Error('NoSuchBucket', { BucketName: bucket });
  const uploadId = query.get('uploadId');
  if (method === 'PUT' && uploadId !== null) {
    const partNumber = Number(query.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
      throw new S3Error(
        'InvalidArgument',
        { ArgumentName: 'partNumber', ArgumentValue: query.get('partNumber') ?? '' },
        'Part number must be an integer between 1 and 10000, inclusive',
      );
    const checksums = await verifyDigests(req, received);
    const etag = store.uploadPart(bucket, key, uploadId, partNumber, body);
    return reply(200, '', { etag, ...checksums });
  }
  if (method === 'PUT') {
    // Verified before anything is stored: a wrong digest leaves the key as it was.
    const checksums = await verifyDigests(req, received);
    checkConditions(req, store, bucket, key);
    const object = store.putObject(bucket, key, body, contentType(req), metadata(req), checksums);
    return reply(200, '', { etag: object.etag, ...checksumHeaders(checksums) });
  }
  if (method === 'POST' && query.has('uploads')) {
    const id = store.startUpload(bucket, key, contentType(req), metadata(req));
    const inner = elements([
      ['Bucket', bucket],
      ['Key', key],
      ['UploadId', id],
    ]);
    return reply(200, document('InitiateMultipartUploadResult', inner));
  }
  if (method === 'POST' && uploadId !== null) {
    checkConditions(req, store, bucket, key);
    const object = store.completeUpload(bucket, key, uploadId, parseParts(body));
    const location = `http://${header(req, 'host') ?? '127.0.0.1'}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
    const inner = elements([
      ['Location', location],
      ['Bucket', bucket],
      ['Key', key],
      ['ETag', object.etag],
    ]);
    return reply(200, document('CompleteMultipartUploadResult', inner));
  }
  if (method === 'DELETE' && uploadId !== null) {
    store.abortUpload(bucket, key, uploadId);
    return reply(204);
  }
  if (method === 'DELETE') {
    checkConditions(req, store, bucket, key);
    store.delete(bucket, key);
    return reply(204);
  }
  if (method === 'GET' || method === 'HEAD') {
    const object = store.object(bucket, key);
    if (!object) throw new S3Error('NoSuchKey', { Key: key });
    return objectReply(method === 'HEAD', object, header(req, 'range'), header(req, 'x-amz-checksum-mode'));
  }
  throw new S3Error('MethodNotAllowed');
}

/**
 * Conditional writes (PutObject, CompleteMultipartUpload, DeleteObject): `If-None-Match: *` fails
 * with 412 when the key exists (what a lock is made of: of two writers one gets 412); `If-Match`
 * fails with 412 when the ETag differs and 404 when there is no object. Checked and applied in one
 * turn of the event loop, so two requests cannot both pass.
 */
function checkConditions(req: Request, store: MemoryStore, bucket: string, key: string): void {
  const noneMatch = header(req, 'if-none-match');
  const match = header(req, 'if-match');
  if (noneMatch === undefined && match === undefined) return;
  const existing = store.object(bucket, key);
  if (noneMatch !== undefined) {
    if (noneMatch.trim() !== '*')
      throw new S3Error('NotImplemented', {}, 'If-None-Match takes only * on a write');
    if (existing) throw new S3Error('PreconditionFailed', { Condition: 'If-None-Match' });
  }
  if (match !== undefined) {
    if (!existing) throw new S3Error('NoSuchKey', { Key: key });
    if (unquote(match) !== unquote(existing.etag))
      throw new S3Error('PreconditionFailed', { Condition: 'If-Match' });
  }
}

const unquote = (etag: string): string => etag.trim().replace(/^"|"$/g, '');

function contentType(req: Request): string {
  return header(req, 'content-type') ?? 'binary/octet-stream';
}

function metadata(req: Request): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (name.startsWith('x-amz-meta-') && typeof value === 'string')
      found[name.slice('x-amz-meta-'.length)] = value;
  return found;
}

function toS3Error(error: unknown, bucket: string, key: string): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof StoreError) {
    const details: Record<string, string> =
      error.code === 'NoSuchBucket' ? { BucketName: bucket } : error.code === 'NoSuchKey' ? { Key: key } : {};
    return new S3Error(error.code, details);
  }
  return new S3Error('InternalError');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
