/**
 * Where the emulator's S3 refuses what S3 refuses (issue 24, item 10), through unmodified boto3
 * (botocore 1.43, which sends a CRC32 with every upload by default) and the AWS SDK for
 * JavaScript v3 (which sends a streamed body's checksum as an aws-chunked trailer). Each case names
 * the S3 behaviour it mirrors; docs/emulator-validation.md lists them.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { awsEnv, run } from '../helpers/emulator-clients.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const SCRIPT = join(import.meta.dirname, '../helpers/emulator-strict-s3.py');

// biome-ignore lint/suspicious/noExplicitAny: the script's JSON is read by path
type Seen = Record<string, any>;
let emulator: Emulator;
let seen: Seen;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const result = await run('python3', [SCRIPT], {
    ...awsEnv(emulator.url),
    AWS_ENDPOINT_URL_S3: emulator.url,
  });
  if (result.code !== 0) throw new Error(`boto3 script failed: ${result.stderr}`);
  seen = JSON.parse(result.stdout) as Seen;
});
afterAll(() => emulator.close());

const NOT_IMPLEMENTED = {
  code: 'NotImplemented',
  status: 501,
  message: 'A header you provided implies functionality that is not implemented.',
};

describe('boto3', () => {
  it('sends a CRC32 by default, and PutObject echoes it', () => {
    // botocore 1.43 request_checksum_calculation=when_supported; S3 PutObjectOutput.ChecksumCRC32.
    expect(seen.defaultSent).toMatchObject({ 'x-amz-checksum-crc32': seen.defaultEcho.expected });
    expect(seen.defaultEcho).toEqual({
      crc32: seen.defaultEcho.expected,
      expected: 'DUoRhQ==',
      type: 'FULL_OBJECT',
    });
  });

  it.each(['SHA1', 'SHA256', 'CRC32'])(
    'echoes a %s on PutObject and on GetObject with ChecksumMode',
    (algorithm) => {
      // S3 GetObjectRequest.ChecksumMode=ENABLED returns the stored checksum; botocore validated it while reading.
      const { put, get, expected } = seen[`alg${algorithm}`];
      expect([put, get]).toEqual([expected, expected]);
    },
  );

  it('returns the checksum only with ChecksumMode=ENABLED, and not for a range', () => {
    // S3 HeadObject/GetObject: checksums only in checksum mode; a part of an object has no full-object checksum.
    expect(seen.headEnabled).toBe(seen.defaultEcho.expected);
    expect(seen.getWithoutMode).toBeNull();
    expect(seen.rangeEnabled).toEqual({ crc32: null, body: 'hello' });
  });

  it('refuses a wrong Content-MD5 or checksum with BadDigest, storing nothing', () => {
    // S3 error codes: BadDigest 400 ("The Content-MD5 you specified did not match what we received."),
    // InvalidDigest 400 for an MD5 that is not one; "The SHA256 you specified did not match the calculated checksum."
    const md5 = {
      code: 'BadDigest',
      status: 400,
      message: 'The Content-MD5 you specified did not match what we received.',
    };
    expect(seen.badMd5).toEqual(md5);
    expect(seen.badMd5New).toEqual(md5);
    expect(seen.goodMd5).toBe(200);
    expect(seen.invalidMd5).toEqual({
      code: 'InvalidDigest',
      status: 400,
      message: 'The Content-MD5 you specified is not valid.',
    });
    expect(seen.badSha256).toEqual({
      code: 'BadDigest',
      status: 400,
      message: 'The SHA256 you specified did not match the calculated checksum.',
    });
    expect(seen.badCrc32).toMatchObject({ code: 'BadDigest', status: 400 });
    expect(seen.afterBad).toBe('hello world');
    expect(seen.neverStored).toMatchObject({ code: '404', status: 404 });
  });

  it('keeps multipart uploads working with per-part checksums', () => {
    // s3transfer: CreateMultipartUpload, UploadPart x2 (each with x-amz-checksum-crc32), Complete.
    expect(seen.multipart.same).toBe(true);
    expect(seen.multipart.etag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(seen.multipart.checksummedRequests).toBeGreaterThanOrEqual(2);
  });

  it('creates a bucket you own again: 200 in us-east-1, BucketAlreadyOwnedByYou elsewhere', () => {
    // S3 CreateBucket documentation: us-east-1 keeps the legacy 200; other regions answer 409.
    expect(seen.createAgainUsEast1).toBe(200);
    expect(seen.createAgainEuWest1).toMatchObject({ code: 'BucketAlreadyOwnedByYou', status: 409 });
  });

  it('answers one NotImplemented (501) for every operation the emulator lacks', () => {
    // S3's NotImplemented error (501); never the object for ?tagging, never NoSuchKey for a missing key.
    for (const [operation, error] of Object.entries(seen.notImplemented as Record<string, unknown>))
      expect(error, operation).toEqual(NOT_IMPLEMENTED);
    expect(seen.stillThere).toBe('hello world');
  });
});

describe('AWS SDK for JavaScript v3', () => {
  const s3 = () =>
    new S3Client({
      endpoint: emulator.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });

  it('verifies and echoes a trailing CRC32C and CRC64NVME of a streamed body', async () => {
    // The SDK sends a stream as aws-chunked with x-amz-trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
    // The values of "hello world", computed apart from the SDK: CRC32C 0xc99465aa, CRC64/NVME
    // 0x8d29d5c3f6ea8ebe (a bitwise CRC whose check value for "123456789" is 0xae8b14860a799888).
    await s3().send(new CreateBucketCommand({ Bucket: 'strict-js' }));
    for (const ChecksumAlgorithm of ['CRC32C', 'CRC64NVME'] as const) {
      const Body = Readable.from([Buffer.from('hello '), Buffer.from('world')]);
      const put = await s3().send(
        new PutObjectCommand({
          Bucket: 'strict-js',
          Key: ChecksumAlgorithm,
          Body,
          ContentLength: 11,
          ChecksumAlgorithm,
        }),
      );
      const field = `Checksum${ChecksumAlgorithm}` as const;
      expect(put[field], ChecksumAlgorithm).toBe(
        ChecksumAlgorithm === 'CRC32C' ? 'yZRlqg==' : 'jSnVw/bqjr4=',
      );
      const head = await s3().send(
        new HeadObjectCommand({ Bucket: 'strict-js', Key: ChecksumAlgorithm, ChecksumMode: 'ENABLED' }),
      );
      expect(head[field]).toBe(put[field]);
    }
  });

  it('refuses a wrong trailing checksum in an aws-chunked body, storing nothing', async () => {
    // The wire format the SDKs send (`<hex size>\r\n<bytes>\r\n0\r\n<trailer>\r\n\r\n`), with a wrong CRC32.
    await s3().send(new CreateBucketCommand({ Bucket: 'strict-raw' }));
    const body = 'b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n';
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${emulator.url}/strict-raw/raw.txt`, {
        method: 'PUT',
        headers: {
          'content-encoding': 'aws-chunked',
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'x-amz-decoded-content-length': '11',
          'x-amz-trailer': 'x-amz-checksum-crc32',
          'content-length': String(body.length),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>BadDigest</Code>');
    expect(answer.text).toContain('The CRC32 you specified did not match the calculated checksum.');
    const missing = await s3()
      .send(new GetObjectCommand({ Bucket: 'strict-raw', Key: 'raw.txt' }))
      .catch((e: S3ServiceException) => e.name);
    expect(missing).toBe('NoSuchKey');
  });
});
