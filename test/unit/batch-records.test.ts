import { describe, expect, it } from 'vitest';
import { chunkRecords, evenSplit, fromRanges, toRanges } from '../../src/engines/batch/chunk.js';
import { DEFAULT_BATCH_LIMITS } from '../../src/engines/batch/limits.js';
import { attemptOf, clientToken, contentHash, jobName } from '../../src/engines/batch/names.js';
import { type BatchRecord, indexOfRecord, recordId, toRecord } from '../../src/engines/batch/records.js';
import { batchRows, MODEL, promptRequest } from '../helpers/batch-rows.js';

function record(row: ReturnType<typeof batchRows>[number], api: 'converse' | 'invoke' = 'converse') {
  const r = toRecord(row, api);
  if ('problem' in r) throw new Error(r.problem);
  return r;
}

describe('recordId', () => {
  it.each([0, 1, 42, 99_999, 9_999_999_999])('round-trips row %i as 11 alphanumerics', (index) => {
    const id = recordId(index);
    expect(id).toMatch(/^[A-Za-z0-9]{11}$/);
    expect(indexOfRecord(id)).toBe(index);
  });
  it.each(['CALL0000001', 'R123', 'r0000000001', 42, undefined, 'R00000000011'])('ignores %j', (id) => {
    expect(indexOfRecord(id)).toBeUndefined();
  });
});

describe('toRecord', () => {
  it('writes a Converse request body without modelId for a Converse-type job', () => {
    const [row] = batchRows(1, () => 'Hello', {
      system: 'Be brief',
      inference: { maxTokens: 50, temperature: 0.2, stopSequences: [] },
    });
    const r = record(row as never);
    expect(r.type).toBe('Converse');
    expect(JSON.parse(r.line)).toEqual({
      recordId: 'R0000000000',
      modelInput: {
        messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
        system: [{ text: 'Be brief' }],
        inferenceConfig: { maxTokens: 50, temperature: 0.2 },
      },
    });
    expect(r.line.endsWith('\n')).toBe(true);
    expect(r.bytes).toBe(Buffer.byteLength(r.line));
  });

  it('writes the family native body with --api invoke', () => {
    const [row] = batchRows(1, () => 'Hi');
    const r = record(row as never, 'invoke');
    expect(r.type).toBe('InvokeModel');
    expect(JSON.parse(r.line).modelInput).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 64,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it('passes a batch record body through and needs an InvokeModel-type job whatever --api says', () => {
    const nativeBody = { inputText: 'as given', textGenerationConfig: { maxTokenCount: 9 } };
    const request = promptRequest(3, '', { nativeBody, model: 'amazon.titan-text-express-v1' });
    const r = record({ index: 3, id: 'x', request } as never, 'converse');
    expect(r.type).toBe('InvokeModel');
    expect(JSON.parse(r.line)).toEqual({ recordId: 'R0000000003', modelInput: nativeBody });
  });

  it('refuses tool use in a Converse-type job and what InvokeModel cannot carry', () => {
    const tool = promptRequest(0, '', {
      messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 't', content: [] } }] }],
    });
    expect(toRecord({ index: 0, id: 'a', request: tool }, 'converse')).toEqual({
      problem: expect.stringMatching(/tool use is not supported in Converse-type batch jobs/),
    });
    const unknown = promptRequest(0, 'x', { model: 'cohere.command-r-v1:0' });
    expect(toRecord({ index: 0, id: 'a', request: unknown }, 'invoke')).toEqual({
      problem: expect.stringMatching(/no InvokeModel body is known for model "cohere.command-r-v1:0"/),
    });
  });
});

const fake = (index: number, bytes: number, model = MODEL): BatchRecord => ({
  index,
  model,
  type: 'Converse',
  line: '',
  key: String(index),
  bytes,
});

describe('chunkRecords', () => {
  const limits = { ...DEFAULT_BATCH_LIMITS, minRecordsPerJob: 3 };

  it('splits jobs evenly so the last one never falls under the minimum', () => {
    const records = Array.from({ length: 11 }, (_, i) => fake(i, 10));
    const plan = chunkRecords(records, { ...limits, recordsPerJob: 10, recordsPerFile: 4 });
    expect(plan.jobs.map((j) => j.records.length)).toEqual([6, 5]);
    expect(plan.jobs.map((j) => j.files)).toEqual([
      [3, 3],
      [3, 2],
    ]);
    expect(plan.jobs.flatMap((j) => j.records.map((r) => r.index))).toEqual(records.map((r) => r.index));
    expect(plan.jobs.map((j) => j.bytes)).toEqual([60, 50]);
  });

  it('keeps each file and job under its byte limit', () => {
    const records = Array.from({ length: 10 }, (_, i) => fake(i, i === 0 ? 90 : 10));
    const plan = chunkRecords(records, { ...limits, bytesPerFile: 100, bytesPerJob: 150 });
    for (const job of plan.jobs) expect(job.bytes).toBeLessThanOrEqual(150);
    expect(plan.jobs.reduce((n, j) => n + j.records.length, 0)).toBe(10);
    const split = evenSplit(records, 100, 100);
    for (const part of split) expect(part.reduce((n, r) => n + r.bytes, 0)).toBeLessThanOrEqual(100);
  });

  it('groups by model and type, and sets aside what no job can take', () => {
    const records = [
      ...Array.from({ length: 4 }, (_, i) => fake(i, 10)),
      fake(4, 10, 'amazon.nova-lite-v1:0'),
      { ...fake(5, 10), type: 'InvokeModel' as const },
      fake(6, 2000),
    ];
    const plan = chunkRecords(records, { ...limits, bytesPerFile: 1000 });
    expect(plan.jobs).toHaveLength(1);
    expect(plan.jobs[0]?.records.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(plan.belowMinimum.map((r) => r.index).sort()).toEqual([4, 5]);
    expect(plan.tooLarge.map((r) => r.index)).toEqual([6]);
  });

  it('keeps row ranges compact and exact', () => {
    expect(toRanges([0, 1, 2, 5, 7, 8])).toEqual([
      [0, 2],
      [5, 5],
      [7, 8],
    ]);
    expect(fromRanges(toRanges([0, 1, 2, 5, 7, 8]))).toEqual([0, 1, 2, 5, 7, 8]);
  });
});

describe('names and tokens', () => {
  it.each([
    ['/data/nightly results.jsonl', /^nightly-results-[0-9a-f]{16}-1$/],
    ['/data/out.results.csv', /^out-[0-9a-f]{16}-1$/],
    ['/data/___.jsonl', /^run-batch-[0-9a-f]{16}-1$/],
    [`/data/${'x'.repeat(100)}.jsonl`, /^x{44}-[0-9a-f]{16}-1$/],
  ])('job name for %s is a valid Bedrock job name', (output, expected) => {
    const name = jobName(output, contentHash(MODEL, 'Converse', []), 1);
    expect(attemptOf(name, contentHash(MODEL, 'Converse', []))).toBe(1);
    expect(name).toMatch(expected);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\-.]){0,63}$/);
  });

  it('a job is identified by its content; its token by the whole request', () => {
    const rows = batchRows(3);
    const hash = contentHash(
      MODEL,
      'Converse',
      rows.map((r) => record(r)),
    );
    expect(
      contentHash(
        MODEL,
        'Converse',
        batchRows(3).map((r) => record(r)),
      ),
    ).toBe(hash);
    const changed = batchRows(3, (i) => (i === 2 ? 'Changed' : `Question ${i + 1}`)).map((r) => record(r));
    expect(contentHash(MODEL, 'Converse', changed)).not.toBe(hash);
    // The row id and the other columns are not content: the same requests are the same job.
    const renamed = batchRows(3).map((r) => record({ ...r, id: `x${r.id}` }));
    expect(contentHash(MODEL, 'Converse', renamed)).toBe(hash);
    const parts = {
      content: hash,
      model: MODEL,
      type: 'Converse',
      name: 'n',
      inputUri: 's3://b/a/in/',
      outputUri: 's3://b/a/out/',
      roleArn: 'arn:aws:iam::123456789012:role/R',
    };
    expect(clientToken(parts)).toBe(clientToken({ ...parts }));
    // A second output or another S3 prefix is another request: another token, never a conflict.
    expect(clientToken({ ...parts, outputUri: 's3://b/b/out/' })).not.toBe(clientToken(parts));
    expect(clientToken({ ...parts, roleArn: 'arn:aws:iam::123456789012:role/S' })).not.toBe(
      clientToken(parts),
    );
    expect(clientToken({ ...parts, timeoutHours: 48 })).not.toBe(clientToken(parts));
    expect(clientToken(parts)).toMatch(/^[a-zA-Z0-9]{1,256}$/);
  });
});
