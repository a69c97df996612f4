/**
 * The S3 client for S3 inputs and outputs: the standard credential chain, the region of the run,
 * and `AWS_ENDPOINT_URL_S3` (else `AWS_ENDPOINT_URL`) read from the env given, so a test's or a
 * cron job's environment is honoured, not only process.env.
 */
import { S3Client } from '@aws-sdk/client-s3';

export interface S3Options {
  env: NodeJS.ProcessEnv;
  region?: string;
  profile?: string;
}

export function s3Client(options: S3Options): S3Client {
  const { env } = options;
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(endpoint === undefined
      ? {}
      : {
          endpoint,
          // moto, MinIO and the emulator have no per-bucket DNS names, and not all of them take
          // the CRC checksums the SDK now adds to every upload by default.
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }),
  });
}
