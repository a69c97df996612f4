/** Writing to S3: a results file whole (multipart through lib-storage for big ones), a JSON object. */
import { createReadStream } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Problem } from './input.js';
import { type S3Location, s3UriOf } from './uri.js';

const TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
  ndjson: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

export async function uploadFile(s3: S3Client, at: S3Location, path: string): Promise<void> {
  const ext = at.key.slice(at.key.lastIndexOf('.') + 1).toLowerCase();
  try {
    await new Upload({
      client: s3,
      params: {
        Bucket: at.bucket,
        Key: at.key,
        Body: createReadStream(path),
        ContentType: TYPES[ext] ?? 'application/octet-stream',
      },
      queueSize: 4,
      partSize: 8 * 1024 * 1024,
    }).done();
  } catch (error) {
    throw s3Problem(error, s3UriOf(at.bucket, at.key), 'PutObject (upload)');
  }
}

export async function putJson(s3: S3Client, at: S3Location, value: unknown): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        Body: `${JSON.stringify(value, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  } catch (error) {
    throw s3Problem(error, s3UriOf(at.bucket, at.key), 'PutObject');
  }
}
