/**
 * The same engine run with moto as S3: the runner uploads to and collects from moto, the
 * emulator's control plane reads the input from moto and writes its output there. moto is a real S3
 * nobody on the team wrote, so path-style addressing and the upload and listing calls meet an
 * implementation of their own.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { listKeys } from '../../src/engines/batch/files.js';
import { runEngine, tempOutput, testSettings } from '../helpers/batch-engine.js';
import { useMoto } from '../helpers/batch-moto.js';
import { batchRows } from '../helpers/batch-rows.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'moto-batch';
const moto = useMoto();
let emulator: Emulator | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, batchStepMs: 5, s3Endpoint: moto.url });
  const s3 = new S3Client({
    endpoint: moto.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
});
afterAll(() => emulator?.close());

describe('batch engine with moto as S3', () => {
  it('runs, fails the failing records, and leaves Bedrock layout files in moto', async () => {
    if (!emulator) throw new Error('emulator not started');
    const rows = batchRows(110, (i) =>
      i === 9 ? `Q [[emulator:error=ValidationException]]` : `Question ${i}`,
    );
    const output = tempOutput('moto results.jsonl');
    const settings = testSettings(output, BUCKET);
    const endpoints = { bedrock: emulator.url, s3: moto.url };
    const first = await runEngine(rows, { ...settings, wait: false }, endpoints);
    expect(first.pending).toBe(110);
    const result = await runEngine(rows, settings, endpoints);
    expect(result.pending).toBe(0);
    expect(result.finished).toHaveLength(110);
    const failed = result.finished.filter((f) => f.outcome.kind === 'failed');
    expect(failed.map((f) => [f.row.index, f.outcome.kind === 'failed' && f.outcome.code])).toEqual([
      [9, '400'],
    ]);
    expect(emulator.stats().batch.jobs).toBe(1);
    const s3 = new S3Client({
      endpoint: moto.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    });
    try {
      const keys = await listKeys(s3, BUCKET, 'runs/');
      const jobId = result.finished[0]?.outcome.jobArn?.split('/').pop();
      expect(keys).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^runs\/moto-results-[0-9a-f]{16}-1\/input\/records-0001\.jsonl$/),
          expect.stringMatching(
            new RegExp(`^runs/moto-results-[0-9a-f]{16}-1/output/${jobId}/records-0001\\.jsonl\\.out$`),
          ),
          expect.stringMatching(
            new RegExp(`^runs/moto-results-[0-9a-f]{16}-1/output/${jobId}/manifest\\.json\\.out$`),
          ),
        ]),
      );
    } finally {
      s3.destroy();
    }
  });
});
