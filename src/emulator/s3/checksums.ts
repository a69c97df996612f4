/**
 * The integrity checks S3 makes on an upload (PutObject, UploadPart) before it stores anything:
 * `Content-MD5`, and one `x-amz-checksum-<algorithm>` (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) as
 * a header or as an aws-chunked trailer, which is how the newest SDKs send it by default. A digest
 * that does not match is BadDigest (400); the checksum that matched is kept with the object and
 * echoed back (routes.ts). The CRCs are the AWS SDK's own (`@aws-sdk/checksums`, installed with
 * `@aws-sdk/client-s3`), so the emulator computes them as the clients do; SHA and MD5 are Node's.
 */
import { createHash } from 'node:crypto';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { header, type Request } from '../wire/http.js';
import type { S3Body } from './chunked.js';
import { S3Error } from './xml.js';

interface Hasher {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

const ALGORITHMS: Record<string, { name: string; bytes: number; make: () => Hasher }> = {
  crc32: { name: 'CRC32', bytes: 4, make: () => new Crc32() },
  crc32c: { name: 'CRC32C', bytes: 4, make: () => new Crc32c() },
  crc64nvme: { name: 'CRC64NVME', bytes: 8, make: () => new Crc64Nvme() },
  sha1: { name: 'SHA1', bytes: 20, make: () => node('sha1') },
  sha256: { name: 'SHA256', bytes: 32, make: () => node('sha256') },
};

/** Checksum headers as S3 returns them: `x-amz-checksum-crc32` -> its base64 value. */
export type Checksums = Record<string, string>;

/** Checks the body against what the request says it is; returns the checksum to keep. */
export async function verifyDigests(req: Request, { body, trailers }: S3Body): Promise<Checksums> {
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    if (Buffer.from(md5, 'base64').length !== 16) throw new S3Error('InvalidDigest');
    if (createHash('md5').update(body).digest('base64') !== md5) throw new S3Error('BadDigest');
  }
  const sent: Checksums = {};
  for (const algorithm of Object.keys(ALGORITHMS)) {
    const name = `x-amz-checksum-${algorithm}`;
    const value = header(req, name) ?? trailers[name];
    if (value !== undefined) sent[name] = value;
  }
  const names = Object.keys(sent);
  if (names.length > 1)
    throw new S3Error(
      'InvalidRequest',
      {},
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  for (const name of names) {
    const algorithm = ALGORITHMS[name.slice('x-amz-checksum-'.length)];
    const value = sent[name] as string;
    if (!algorithm || Buffer.from(value, 'base64').length !== algorithm.bytes)
      throw new S3Error('InvalidRequest', {}, `Value for ${name} header is invalid.`);
    const hasher = algorithm.make();
    hasher.update(body);
    if (Buffer.from(await hasher.digest()).toString('base64') !== value)
      throw new S3Error(
        'BadDigest',
        {},
        `The ${algorithm.name} you specified did not match the calculated checksum.`,
      );
  }
  return sent;
}

function node(algorithm: 'sha1' | 'sha256'): Hasher {
  const hash = createHash(algorithm);
  return {
    update: (data) => void hash.update(data),
    digest: async () => hash.digest(),
  };
}
