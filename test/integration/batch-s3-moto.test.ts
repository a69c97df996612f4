/**
 * The engine's S3 side against moto: uploads (single and multipart through lib-storage), listing
 * and reading back, and collecting a job's output written in Bedrock's layout, shuffled, with a
 * failed record, a missing one and a manifest that disagrees.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { collectJob } from '../../src/engines/batch/collect.js';
import { listKeys, uploadInput } from '../../src/engines/batch/files.js';
import { createBatchClients } from '../../src/engines/batch/index.js';
import { type BatchRecord, recordId, toRecord } from '../../src/engines/batch/records.js';
import type { JobState } from '../../src/engines/batch/state.js';
import { useMoto } from '../helpers/batch-moto.js';
import { batchRows } from '../helpers/batch-rows.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const moto = useMoto();
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

function clients() {
  return createBatchClients({ region: 'us-east-1', env: { AWS_ENDPOINT_URL_S3: moto.url }, credentials });
}

function records(count: number, prompt?: (i: number) => string): BatchRecord[] {
  return batchRows(count, prompt).map((row) => toRecord(row, 'converse') as BatchRecord);
}

describe('uploads against moto', () => {
  it('writes each input file with exactly its records, multipart when a file is bigger than a part', async () => {
    const { s3, destroy } = clients();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
      // 3 small records in one file, then 60 records of ~100 KB (about 6 MB) in another: past the
      // 5 MiB part, so lib-storage sends a multipart upload.
      const small = records(3);
      const big = records(63, (i) => `Question ${i} ${'x'.repeat(100_000)}`).slice(3);
      await uploadInput(s3, 's3://uploads/p/job-1/input/', [...small, ...big], [3, 60], {
        partSize: 5 * 1024 * 1024,
      });
      const keys = await listKeys(s3, 'uploads', 'p/job-1/input/');
      expect(keys).toEqual(['p/job-1/input/records-0001.jsonl', 'p/job-1/input/records-0002.jsonl']);
      const second = await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: keys[1] }));
      const text = (await second.Body?.transformToString()) ?? '';
      expect(Buffer.byteLength(text)).toBeGreaterThan(5 * 1024 * 1024);
      expect(text).toBe(big.map((r) => r.line).join(''));
      // A multipart object's ETag ends in -<parts>.
      expect(second.ETag).toMatch(/-2"$/);
    } finally {
      destroy();
    }
  });

  it('lists past one page', async () => {
    const { s3, destroy } = clients();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'many' }));
      const keys = Array.from({ length: 25 }, (_, i) => `k/${String(i).padStart(2, '0')}`);
      await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: 'many', Key, Body: 'x' }))));
      await s3.send(new PutObjectCommand({ Bucket: 'many', Key: 'other/x', Body: 'x' }));
      let pages = 0;
      s3.middlewareStack.add(
        (next, context) => (args) => {
          if (context.commandName === 'ListObjectsV2Command') pages += 1;
          return next(args);
        },
        { step: 'initialize', name: 'countPages' },
      );
      expect(await listKeys(s3, 'many', 'k/', 10)).toEqual(keys);
      expect(pages).toBe(3);
    } finally {
      destroy();
    }
  });
});

describe('collecting a job from moto', () => {
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl';
  const job: JobState = {
    seq: 1,
    name: 'out-0123456789-1',
    token: 't',
    model: 'm',
    type: 'Converse',
    rows: [[0, 4]],
    files: [5],
    records: 5,
    bytes: 0,
    inputUri: 's3://collect/out-0123456789-1/input/',
    outputUri: 's3://collect/out-0123456789-1/output/',
    status: 'Completed',
    arn,
    endTime: '2026-12-01T06:00:00.000Z',
    collected: false,
  };
  const ok = (i: number) =>
    JSON.stringify({
      recordId: recordId(i),
      modelInput: {},
      modelOutput: {
        output: { message: { role: 'assistant', content: [{ text: `answer ${i}` }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 10 + i, outputTokens: 5, totalTokens: 15 + i },
      },
    });

  it('maps shuffled records by recordId, fails the failed and the missing, warns on the manifest', async () => {
    const { s3, destroy } = clients();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'collect' }));
      const out = 'out-0123456789-1/output/abcdefghijkl/';
      const lines = [
        ok(3),
        JSON.stringify({
          recordId: recordId(1),
          modelInput: {},
          error: { errorCode: 400, errorMessage: 'bad input' },
        }),
        ok(0),
        JSON.stringify({ recordId: 'CALL0000009', modelOutput: {} }),
        ok(4),
      ];
      await s3.send(
        new PutObjectCommand({
          Bucket: 'collect',
          Key: `${out}records-0001.jsonl.out`,
          Body: `${lines.join('\n')}\n`,
        }),
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: 'collect',
          Key: `${out}manifest.json.out`,
          Body: JSON.stringify({
            totalRecordCount: 5,
            processedRecordCount: 5,
            successRecordCount: 4,
            errorRecordCount: 1,
          }),
        }),
      );
      const warnings: string[] = [];
      const outcomes = await collectJob(
        s3,
        job,
        (i) => i !== 4,
        (w) => warnings.push(w),
      );
      expect([...outcomes.keys()].sort()).toEqual([0, 1, 2, 3]);
      expect(outcomes.get(0)).toMatchObject({
        kind: 'ok',
        value: { text: 'answer 0', usage: { inputTokens: 10 } },
        jobArn: arn,
      });
      expect(outcomes.get(3)).toMatchObject({ kind: 'ok', value: { text: 'answer 3' } });
      expect(outcomes.get(0)?.finishedAt.toISOString()).toBe('2026-12-01T06:00:00.000Z');
      expect(outcomes.get(1)).toMatchObject({ kind: 'failed', code: '400', message: 'bad input' });
      expect(outcomes.get(2)).toMatchObject({ kind: 'failed', code: 'BatchRecordMissing' });
      expect(warnings).toEqual([
        expect.stringMatching(/1 output records are not this job's \(e\.g\. recordId CALL0000009\)/),
        expect.stringMatching(/manifest\.json\.out disagrees: successRecordCount 4, read 3/),
      ]);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'collect' }));
      expect(listed.KeyCount).toBe(2); // collecting reads, never writes
    } finally {
      destroy();
    }
  });

  it('does not read a job that ended Failed: every row fails with its message', async () => {
    const { s3, destroy } = clients();
    try {
      const outcomes = await collectJob(
        s3,
        { ...job, status: 'Failed', message: 'The role cannot read the input' },
        () => true,
        () => {},
      );
      expect(outcomes.size).toBe(5);
      expect(outcomes.get(2)).toMatchObject({
        kind: 'failed',
        code: 'BatchJobFailed',
        message: 'batch job out-0123456789-1 ended Failed: The role cannot read the input',
      });
    } finally {
      destroy();
    }
  });
});
