/** Runs the batch engine in tests: settings that poll fast, clients pointed at the emulator or moto. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BatchDeps,
  type BatchRow,
  type BatchSettings,
  batchSettings,
  createBatchClients,
  runBatchJobs,
} from '../../src/engines/batch/index.js';

export const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatch';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export function tempOutput(name = 'out.jsonl'): string {
  return join(mkdtempSync(join(tmpdir(), 'batch-engine-')), name);
}

export function testSettings(
  output: string,
  bucket: string,
  extra: Partial<BatchSettings> = {},
): BatchSettings {
  return batchSettings({
    output,
    s3: { bucket, prefix: 'runs/' },
    roleArn: ROLE,
    poll: { firstMs: 10, maxMs: 40, factor: 1.5 },
    ...extra,
  });
}

export interface Endpoints {
  bedrock: string;
  s3: string;
}

/** One engine call with fresh clients, destroyed after. */
export async function runEngine(
  rows: BatchRow[],
  settings: BatchSettings,
  endpoints: Endpoints,
  deps: Partial<BatchDeps> = {},
) {
  const clients = createBatchClients({
    region: 'us-east-1',
    env: { AWS_ENDPOINT_URL_BEDROCK: endpoints.bedrock, AWS_ENDPOINT_URL_S3: endpoints.s3 },
    credentials,
  });
  try {
    return await runBatchJobs(rows, settings, { bedrock: clients.bedrock, s3: clients.s3, ...deps });
  } finally {
    clients.destroy();
  }
}
