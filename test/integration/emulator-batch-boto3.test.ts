/**
 * The batch control plane and S3 through unmodified boto3 (botocore's own `bedrock` and `s3`
 * parsers), in a python3 child process pointed at the emulator by AWS_ENDPOINT_URL_BEDROCK and
 * AWS_ENDPOINT_URL_S3: a client the team did not write must read our JSON, XML and errors.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { converseRecords, jsonl, prompts } from '../helpers/emulator-batch.js';
import { awsEnv, run } from '../helpers/emulator-clients.js';

const SCRIPT = join(import.meta.dirname, '../helpers/emulator-batch-boto3.py');

// biome-ignore lint/suspicious/noExplicitAny: the script's JSON is read by path
type Seen = Record<string, any>;

let emulator: Emulator;
let seen: Seen;
beforeAll(async () => {
  // Two records a step: the Stop in the script lands while the job is still in flight.
  emulator = await startEmulator({ port: 0, batchStepMs: 2, batchRecordsPerStep: 2 });
  const env = {
    ...awsEnv(emulator.url),
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    AWS_ENDPOINT_URL_S3: emulator.url,
  };
  const result = await run('python3', [SCRIPT, jsonl(converseRecords(prompts(100)))], env);
  if (result.code !== 0) throw new Error(`boto3 batch script failed: ${result.stderr}`);
  seen = JSON.parse(result.stdout) as Seen;
});
afterAll(() => emulator.close());

describe('boto3 s3', () => {
  it('lists keys it URL-decodes itself, and reads S3 errors', () => {
    expect(seen.listed).toEqual(['in/odd key+plus.txt', 'in/records.jsonl']);
    expect(seen.noSuchKey).toMatchObject({ class: 'NoSuchKey', code: 'NoSuchKey', status: 404 });
    expect(seen.noSuchBucket).toMatchObject({ class: 'NoSuchBucket', code: 'NoSuchBucket', status: 404 });
  });

  it('uploads a multipart file with s3transfer', () => {
    expect(seen.big).toMatchObject({ size: seen.big.expected, same: true });
    expect(seen.big.etag).toMatch(/^"[0-9a-f]{32}-2"$/);
  });
});

describe('boto3 bedrock', () => {
  it('runs a job to Completed and finds its output in Bedrock layout', () => {
    expect(seen.again).toBe(true);
    expect(seen.job).toEqual({
      status: 'Completed',
      totalRecordCount: 100,
      successRecordCount: 100,
      errorRecordCount: 0,
      modelInvocationType: 'Converse',
      jobName: 'boto3-job',
    });
    expect(seen.timesAreDates).toBe(true);
    expect(seen.outputKeys.map((k: string) => k.split('/').at(-1))).toEqual([
      'manifest.json.out',
      'records.jsonl.out',
    ]);
    expect(seen.recordIds).toEqual(converseRecords(prompts(100)).map((r) => r.recordId));
    expect(seen.manifest).toMatchObject({ totalRecordCount: 100, successRecordCount: 100 });
    expect(seen.listed_jobs).toEqual(['boto3-job']);
  });

  it('raises the modeled exceptions', () => {
    expect(seen.conflict).toMatchObject({ class: 'ConflictException', status: 400 });
    expect(seen.validation).toMatchObject({ class: 'ValidationException', status: 400 });
    expect(seen.notFound).toMatchObject({ class: 'ResourceNotFoundException', status: 404 });
  });

  it('stops a job', () => {
    expect(seen.stopped).toBe('Stopped');
  });
});
