/**
 * The emulator's S3 buckets, in memory: objects with their ETag, content type and user metadata,
 * and multipart uploads in progress. `ObjectStore` is the narrow view a batch job reads its input
 * and writes its output through, so the job can use an external S3 (external.ts) instead.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What a job needs of S3. Errors are StoreError (NoSuchBucket), so a job can say what was missing. */
export interface ObjectStore {
  /** Every key under the prefix, in key order. */
  list(bucket: string, prefix: string): Promise<string[]>;
  /** The object's bytes, or undefined when there is no such key. */
  get(bucket: string, key: string): Promise<Buffer | undefined>;
  put(bucket: string, key: string, body: Buffer, contentType?: string): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    readonly code:
      | 'NoSuchBucket'
      | 'NoSuchKey'
      | 'NoSuchUpload'
      | 'InvalidPart'
      | 'InvalidPartOrder'
      | 'EntityTooSmall',
    message: string,
  ) {
    super(message);
  }
}

export interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
  metadata: Record<string, string>;
  /** The checksum sent with the upload (`x-amz-checksum-crc32` -> base64), echoed on request. */
  checksums?: Record<string, string>;
}

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, { body: Buffer; etag: string }>;
}

/** S3's smallest part size, for every part but the last. */
const MIN_PART = 5 * 1024 * 1024;

export class MemoryStore implements ObjectStore {
  private buckets = new Map<string, Map<string, StoredObject>>();
  private uploads = new Map<string, Upload>();

  /** @param initial buckets that exist from the start and again after clear() */
  constructor(private readonly initial: readonly string[] = []) {
    this.clear();
  }

  clear(): void {
    this.buckets = new Map(this.initial.map((name) => [name, new Map()]));
    this.uploads.clear();
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  /** Returns false when the bucket already existed. */
  createBucket(bucket: string): boolean {
    if (this.buckets.has(bucket)) return false;
    this.buckets.set(bucket, new Map());
    return true;
  }

  deleteBucket(bucket: string): 'ok' | 'not-empty' {
    if (this.bucket(bucket).size > 0) return 'not-empty';
    this.buckets.delete(bucket);
    return 'ok';
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()].sort();
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    return this.keys(bucket).filter((key) => key.startsWith(prefix));
  }

  /** Every key of a bucket in S3's order (UTF-8 binary order). */
  keys(bucket: string): string[] {
    return [...this.bucket(bucket).keys()].sort(byteOrder);
  }

  async get(bucket: string, key: string): Promise<Buffer | undefined> {
    return this.object(bucket, key)?.body;
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.bucket(bucket).get(key);
  }

  async put(
    bucket: string,
    key: string,
    body: Buffer,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    this.putObject(bucket, key, body, contentType, {});
  }

  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    contentType: string,
    metadata: Record<string, string>,
    checksums?: Record<string, string>,
  ): StoredObject {
    const object: StoredObject = {
      body,
      etag: `"${md5(body)}"`,
      lastModified: new Date(),
      contentType,
      metadata,
    };
    if (checksums && Object.keys(checksums).length > 0) object.checksums = checksums;
    this.bucket(bucket).set(key, object);
    return object;
  }

  delete(bucket: string, key: string): void {
    this.bucket(bucket).delete(key);
  }

  startUpload(bucket: string, key: string, contentType: string, metadata: Record<string, string>): string {
    this.bucket(bucket);
    const id = randomBytes(24).toString('base64url');
    this.uploads.set(id, { bucket, key, contentType, metadata, parts: new Map() });
    return id;
  }

  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Buffer): string {
    const upload = this.upload(bucket, key, uploadId);
    const etag = `"${md5(body)}"`;
    upload.parts.set(partNumber, { body, etag });
    return etag;
  }

  /** Joins the listed parts (ascending numbers, matching ETags) into the object. */
  completeUpload(
    bucket: string,
    key: string,
    uploadId: string,
    listed: ReadonlyArray<{ partNumber: number; etag: string }>,
  ): StoredObject {
    const upload = this.upload(bucket, key, uploadId);
    // S3 checks the order of the list before it looks at any part.
    if (listed.some((item, i) => i > 0 && (listed[i - 1]?.partNumber ?? 0) >= item.partNumber))
      throw new StoreError(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
      );
    const bodies: Buffer[] = [];
    const digests: Buffer[] = [];
    listed.forEach((item, i) => {
      const part = upload.parts.get(item.partNumber);
      if (!part || unquote(part.etag) !== unquote(item.etag))
        throw new StoreError(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      if (i < listed.length - 1 && part.body.length < MIN_PART)
        throw new StoreError(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
        );
      bodies.push(part.body);
      digests.push(Buffer.from(unquote(part.etag), 'hex'));
    });
    this.uploads.delete(uploadId);
    const object = this.putObject(bucket, key, Buffer.concat(bodies), upload.contentType, upload.metadata);
    // S3's multipart ETag: the MD5 of the parts' MD5s, then the part count.
    object.etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${listed.length}"`;
    return object;
  }

  abortUpload(bucket: string, key: string, uploadId: string): void {
    this.upload(bucket, key, uploadId);
    this.uploads.delete(uploadId);
  }

  private upload(bucket: string, key: string, uploadId: string): Upload {
    this.bucket(bucket);
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key)
      throw new StoreError(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      );
    return upload;
  }

  private bucket(bucket: string): Map<string, StoredObject> {
    const found = this.buckets.get(bucket);
    if (!found) throw new StoreError('NoSuchBucket', 'The specified bucket does not exist');
    return found;
  }
}

function md5(body: Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
