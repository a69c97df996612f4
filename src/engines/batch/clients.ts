/**
 * The two clients batch mode talks through: Bedrock's control plane (`bedrock`, where jobs are
 * created and polled) and S3 (where their files go). Credentials come from the standard chain, as for
 * on-demand calls. Endpoints come from the SDK's standard variables, read from the env given (so a
 * test's env is honoured, not only process.env), or from the emulator.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { S3Client } from '@aws-sdk/client-s3';

export interface BatchClientOptions {
  region: string;
  profile?: string;
  env: NodeJS.ProcessEnv;
  /** The emulator's base URL: both control plane and S3 go there. */
  emulatorUrl?: string;
  /** Static credentials, e.g. for the emulator or moto, which accept any. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface BatchClients {
  bedrock: BedrockClient;
  s3: S3Client;
  destroy(): void;
}

export function createBatchClients(options: BatchClientOptions): BatchClients {
  const { env } = options;
  const bedrockEndpoint = options.emulatorUrl ?? env.AWS_ENDPOINT_URL_BEDROCK ?? env.AWS_ENDPOINT_URL;
  const common = {
    region: options.region,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  // The control plane keeps the SDK's own retries: a handful of calls per job, unlike model calls,
  // whose retries live in the pool alone.
  const bedrock = new BedrockClient({
    ...common,
    ...(bedrockEndpoint === undefined ? {} : { endpoint: bedrockEndpoint }),
  });
  const s3 = s3ClientFor(options);
  return {
    bedrock,
    s3,
    destroy: () => {
      bedrock.destroy();
      s3.destroy();
    },
  };
}

/** The S3 client of a run: batch files, and the ETags of `s3://` attachments (src/run/s3-etags.ts). */
export function s3ClientFor(options: BatchClientOptions): S3Client {
  const endpoint = options.emulatorUrl ?? options.env.AWS_ENDPOINT_URL_S3 ?? options.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: options.region,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(endpoint === undefined
      ? {}
      : {
          endpoint,
          // A custom endpoint (moto, MinIO, the emulator) has no per-bucket DNS names, and not all
          // of them take the CRC checksums the SDK now adds to every upload by default.
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }),
  });
}
