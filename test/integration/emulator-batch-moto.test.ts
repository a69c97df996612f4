/**
 * The emulator with an external S3 (`s3Endpoint`): moto's S3 holds the job's input and output,
 * the emulator only runs the control plane and the model. Input written and output read through
 * client-s3 against moto, the job through client-bedrock against the emulator.
 */
import { CreateBucketCommand, NoSuchBucket } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import {
  bedrockClient,
  converseRecords,
  getText,
  jobIdOf,
  jobInput,
  jsonl,
  listKeys,
  parseLines,
  prompts,
  putText,
  s3Client,
  submit,
  waitForJob,
} from '../helpers/emulator-batch.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

let moto: Moto;
let emulator: Emulator;
beforeAll(async () => {
  moto = await startMoto();
  emulator = await startEmulator({ port: 0, batchStepMs: 1, s3Endpoint: moto.url });
});
afterAll(async () => {
  await emulator?.close();
  await moto?.stop();
});

describe('a job over moto S3', () => {
  it('reads its input from moto and writes its output and manifest there', async () => {
    const s3 = s3Client(moto.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'moto-batch' }));
    const records = converseRecords(prompts(120));
    await putText(s3, 'moto-batch', 'runs/in/records.jsonl', jsonl(records));
    const bedrock = bedrockClient(emulator.url);
    const arn = await submit(
      bedrock,
      jobInput('s3://moto-batch/runs/in/', 's3://moto-batch/runs/out/', { modelInvocationType: 'Converse' }),
    );
    const { job } = await waitForJob(bedrock, arn);
    expect(job).toMatchObject({ status: 'Completed', totalRecordCount: 120, successRecordCount: 120 });
    const id = jobIdOf(arn);
    expect((await listKeys(s3, 'moto-batch', `runs/out/${id}/`)).sort()).toEqual([
      `runs/out/${id}/manifest.json.out`,
      `runs/out/${id}/records.jsonl.out`,
    ]);
    const lines = parseLines(await getText(s3, 'moto-batch', `runs/out/${id}/records.jsonl.out`));
    expect(lines.map((l) => l.recordId).sort()).toEqual(records.map((r) => r.recordId));
    const manifest = JSON.parse(await getText(s3, 'moto-batch', `runs/out/${id}/manifest.json.out`));
    expect(manifest.successRecordCount).toBe(120);
    // Nothing went to the emulator's own buckets.
    await expect(
      getText(s3Client(emulator.url), 'moto-batch', `runs/out/${id}/manifest.json.out`),
    ).rejects.toBeInstanceOf(NoSuchBucket);
  });

  it('fails the job, naming the URI, when the bucket is not in moto', async () => {
    const bedrock = bedrockClient(emulator.url);
    const arn = await submit(bedrock, jobInput('s3://absent-bucket/in/', 's3://absent-bucket/out/'));
    const { job } = await waitForJob(bedrock, arn);
    expect(job.status).toBe('Failed');
    expect(job.message).toContain('could not read s3://absent-bucket/in/');
  });
});
