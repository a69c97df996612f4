/**
 * The emulator's S3 through unmodified `@aws-sdk/client-s3` and `@aws-sdk/lib-storage`, and the
 * same cases against moto's S3: what holds for moto (an S3 the team did not write) must hold for
 * the emulator, so the expectations here are S3's, not the emulator's own.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { getText, s3Client } from '../helpers/emulator-batch.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

let emulator: Emulator;
let moto: Moto;
beforeAll(async () => {
  [emulator, moto] = await Promise.all([startEmulator({ port: 0 }), startMoto()]);
});
afterAll(async () => {
  await Promise.all([emulator?.close(), moto?.stop()]);
});

async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

let buckets = 0;
async function freshBucket(s3: S3Client): Promise<string> {
  const bucket = `bucket-${process.pid}-${++buckets}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

describe.each(['emulator', 'moto'] as const)('S3 (%s)', (which) => {
  const client = () => s3Client(which === 'emulator' ? emulator.url : moto.url);

  it('creates and heads a bucket; a missing bucket is NoSuchBucket / NotFound', async () => {
    const s3 = client();
    const bucket = await freshBucket(s3);
    expect((await s3.send(new HeadBucketCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(200);
    const head = await failure(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket-here' })));
    expect(head).toBeInstanceOf(NotFound);
    expect(head.$metadata.httpStatusCode).toBe(404);
    const get = await failure(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k' })));
    expect(get).toBeInstanceOf(NoSuchBucket);
    expect(get.message).toBe('The specified bucket does not exist');
  });

  it('puts, gets, heads and deletes an object with its metadata', async () => {
    const s3 = client();
    const bucket = await freshBucket(s3);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'in/records 1.jsonl',
        Body: '{"a":1}\n',
        ContentType: 'application/jsonl',
        Metadata: { job: 'nightly' },
      }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update('{"a":1}\n').digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'in/records 1.jsonl' }));
    expect(await got.Body?.transformToString()).toBe('{"a":1}\n');
    expect(got).toMatchObject({
      ContentType: 'application/jsonl',
      ContentLength: 8,
      ETag: put.ETag,
      Metadata: { job: 'nightly' },
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'in/records 1.jsonl' }));
    expect(head).toMatchObject({ ContentLength: 8, ETag: put.ETag });
    const range = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'in/records 1.jsonl', Range: 'bytes=1-5' }),
    );
    expect(await range.Body?.transformToString()).toBe('"a":1');
    expect(range.ContentRange).toBe('bytes 1-5/8');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'in/records 1.jsonl' }));
    const missing = await failure(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'in/records 1.jsonl' })),
    );
    expect(missing).toBeInstanceOf(NoSuchKey);
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const headMissing = await failure(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'in/records 1.jsonl' })),
    );
    expect(headMissing).toBeInstanceOf(NotFound);
    // Deleting what is not there is not an error in S3.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'never-was' }));
  });

  it('takes a streamed body, which the SDK sends aws-chunked with a trailing checksum', async () => {
    const s3 = client();
    const bucket = await freshBucket(s3);
    const body = Readable.from([Buffer.from('first line\n'), Buffer.from('second line\n')]);
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'streamed.txt', Body: body, ContentLength: 23 }),
    );
    expect(await getText(s3, bucket, 'streamed.txt')).toBe('first line\nsecond line\n');
    // lib-storage sends a small stream as one PutObject.
    const small = Readable.from([Buffer.from('one part')]);
    await new Upload({ client: s3, params: { Bucket: bucket, Key: 'small.txt', Body: small } }).done();
    expect(await getText(s3, bucket, 'small.txt')).toBe('one part');
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    const s3 = client();
    const bucket = await freshBucket(s3);
    const keys = [
      'out/job1/a.jsonl.out',
      'out/job1/manifest.json.out',
      'out/job2/a.jsonl.out',
      'out/top.txt',
      'in/x.jsonl',
    ];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const grouped = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'out/', Delimiter: '/' }),
    );
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['out/job1/', 'out/job2/']);
    expect(grouped.Contents?.map((c) => c.Key)).toEqual(['out/top.txt']);
    expect(grouped.KeyCount).toBe(3);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'out/', MaxKeys: 2, ContinuationToken: token }),
      );
      seen.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen).toEqual(keys.filter((k) => k.startsWith('out/')).sort());
    const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'out/job1/' }));
    expect(first.Contents?.[0]).toMatchObject({
      Key: 'out/job1/a.jsonl.out',
      Size: 'out/job1/a.jsonl.out'.length,
    });
    expect(first.Contents?.[0]?.LastModified).toBeInstanceOf(Date);
  });

  it('uploads a 12 MB file in parts through lib-storage, and aborts an upload', async () => {
    const s3 = client();
    const bucket = await freshBucket(s3);
    const body = Buffer.alloc(12 * 1024 * 1024, 'abcdefghijklmnopqrstuvwxyz\n');
    let parts = 0;
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'big.jsonl', Body: body },
      partSize: 5 * 1024 * 1024,
    });
    upload.on('httpUploadProgress', (progress) => {
      if (progress.part !== undefined) parts = Math.max(parts, progress.part);
    });
    const done = await upload.done();
    expect(parts).toBe(3);
    // A multipart ETag names its part count.
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big.jsonl' }));
    expect(head.ContentLength).toBe(body.length);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.jsonl' }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(body)).toBe(true);

    const started = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'aborted.jsonl' }));
    await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'aborted.jsonl',
        UploadId: started.UploadId,
        PartNumber: 1,
        Body: 'x',
      }),
    );
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'aborted.jsonl', UploadId: started.UploadId }),
    );
    // S3 answers NoSuchUpload for a part of an aborted upload; moto answers a 500 page there.
    if (which === 'emulator') {
      const part = await failure(
        s3.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: 'aborted.jsonl',
            UploadId: started.UploadId,
            PartNumber: 2,
            Body: 'y',
          }),
        ),
      );
      expect(part.name).toBe('NoSuchUpload');
    }
    expect(
      await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'aborted.jsonl' }))),
    ).toBeInstanceOf(NotFound);
  });
});
