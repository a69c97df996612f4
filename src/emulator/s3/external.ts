/**
 * An external S3 (moto, MinIO, or AWS itself) as a job's object store, through the real
 * `@aws-sdk/client-s3` with path-style addressing. Credentials come from the SDK's usual chain when
 * the environment has keys; otherwise fixed throwaway ones, as local S3s check no signatures.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type ObjectStore, StoreError } from './store.js';

export function externalStore(endpoint: string, region = process.env.AWS_REGION ?? 'us-east-1'): ObjectStore {
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    ...(process.env.AWS_ACCESS_KEY_ID
      ? {}
      : { credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' } }),
  });
  return {
    async list(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await call(bucket, () =>
          client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
        );
        for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    },
    async get(bucket, key) {
      try {
        const object = await call(bucket, () =>
          client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
        );
        return Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
      } catch (error) {
        if (error instanceof StoreError && error.code === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async put(bucket, key, body, contentType) {
      await call(bucket, () =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })),
      );
    },
  };
}

/** S3's NoSuchBucket and NoSuchKey become StoreErrors; anything else says which endpoint failed. */
async function call<T>(bucket: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const name = error instanceof S3ServiceException ? error.name : undefined;
    if (name === 'NoSuchBucket')
      throw new StoreError('NoSuchBucket', `The specified bucket does not exist: ${bucket}`);
    if (name === 'NoSuchKey') throw new StoreError('NoSuchKey', 'The specified key does not exist.');
    throw error;
  }
}
