/**
 * The batch emulator's pure pieces, table-style: aws-chunked bodies, ListObjectsV2 paging, the
 * multipart rules, Create's checks, the registry (tokens, names, quota, pages), one record's
 * answer, and the executor's exact status sequence (which polling over HTTP can only sample).
 */
import { describe, expect, it } from 'vitest';
import { batchEmulatorSettings } from '../../src/commands/emulator.js';
import { Arrivals } from '../../src/emulator/behaviour/directives.js';
import { resolveModel } from '../../src/emulator/catalogue/catalogue.js';
import { checkCreate } from '../../src/emulator/control/create.js';
import { ControlError } from '../../src/emulator/control/errors.js';
import { Executor } from '../../src/emulator/control/executor.js';
import { JobFailure, readInput } from '../../src/emulator/control/files.js';
import { ACTIVE, type Job } from '../../src/emulator/control/job.js';
import { JobRegistry } from '../../src/emulator/control/jobs.js';
import { answerRecord } from '../../src/emulator/control/records.js';
import { decodeAwsChunked } from '../../src/emulator/s3/chunked.js';
import { listObjectsV2 } from '../../src/emulator/s3/list.js';
import { MemoryStore, StoreError } from '../../src/emulator/s3/store.js';
import { S3Error } from '../../src/emulator/s3/xml.js';

const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatch';
const request = (more: Record<string, unknown> = {}) => ({
  jobName: 'nightly-1',
  roleArn: ROLE,
  modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://bucket/in/' } },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://bucket/out/' } },
  ...more,
});

function thrown(fn: () => unknown): ControlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ControlError) return error;
    throw error;
  }
  throw new Error('expected a ControlError');
}

describe('decodeAwsChunked', () => {
  it.each([
    [
      'unsigned with a trailer',
      '6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n',
      'hello world',
    ],
    ['signed chunks', '5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=def\r\n\r\n', 'hello'],
    ['an empty body', '0\r\n\r\n', ''],
  ])('unwraps %s', (_case, raw, decoded) => {
    expect(decodeAwsChunked(Buffer.from(raw)).body.toString()).toBe(decoded);
  });

  it('returns the trailers beside the bytes', () => {
    const raw = '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n';
    expect(decodeAwsChunked(Buffer.from(raw)).trailers).toEqual({ 'x-amz-checksum-crc32': 'NhCmhg==' });
  });

  it.each([['5\r\nhi'], ['zz\r\nhello\r\n'], ['5\r\nhello\r\n']])('refuses the malformed body %j', (raw) => {
    expect(() => decodeAwsChunked(Buffer.from(raw))).toThrow(S3Error);
  });
});

describe('listObjectsV2', () => {
  const store = new MemoryStore(['b']);
  for (const key of ['a/1', 'a/2', 'b/1', 'b/2', 'c', 'é', 'z'])
    store.putObject('b', key, Buffer.from(key), 'text/plain', {});
  const list = (query: Record<string, string>) =>
    listObjectsV2(store, 'b', new URLSearchParams({ 'list-type': '2', ...query }));
  const keys = (xml: string) =>
    [...xml.matchAll(/<Key>([^<]*)<\/Key>|<Prefix>([^<]*)<\/Prefix><\/CommonPrefixes>/g)].map(
      (m) => m[1] ?? m[2],
    );
  const token = (xml: string) => /<NextContinuationToken>([^<]*)</.exec(xml)?.[1];

  it('groups by delimiter, counting each common prefix once toward max-keys', () => {
    const first = list({ delimiter: '/', 'max-keys': '2' });
    expect(keys(first)).toEqual(['a/', 'b/']);
    expect(first).toContain('<IsTruncated>true</IsTruncated>');
    const second = list({ delimiter: '/', 'max-keys': '2', 'continuation-token': token(first) ?? '' });
    expect(keys(second)).toEqual(['c', 'z']);
    const third = list({ delimiter: '/', 'max-keys': '2', 'continuation-token': token(second) ?? '' });
    // S3 orders keys by their UTF-8 bytes: 'z' (0x7a) before 'é' (0xc3 0xa9).
    expect(keys(third)).toEqual(['é']);
    expect(third).toContain('<IsTruncated>false</IsTruncated>');
  });

  it('honours prefix and start-after, and URL-encodes keys when asked', () => {
    expect(keys(list({ prefix: 'b/', 'start-after': 'b/1' }))).toEqual(['b/2']);
    expect(keys(list({ prefix: 'é', 'encoding-type': 'url' }))).toEqual(['%C3%A9']);
  });

  it.each([
    [{ 'continuation-token': 'not a token' }],
    [{ 'max-keys': '-1' }],
    [{ 'encoding-type': 'base64' }],
  ])('refuses %j with InvalidArgument', (query) => {
    expect(() => list(query)).toThrow(S3Error);
  });
});

describe('MemoryStore multipart', () => {
  const big = Buffer.alloc(5 * 1024 * 1024, 'a');

  it('joins parts with an ETag naming their count', () => {
    const store = new MemoryStore(['b']);
    const id = store.startUpload('b', 'k', 'text/plain', {});
    const e1 = store.uploadPart('b', 'k', id, 1, big);
    const e2 = store.uploadPart('b', 'k', id, 2, Buffer.from('tail'));
    const object = store.completeUpload('b', 'k', id, [
      { partNumber: 1, etag: e1 },
      { partNumber: 2, etag: e2 },
    ]);
    expect(object.body.length).toBe(big.length + 4);
    expect(object.etag).toMatch(/^"[0-9a-f]{32}-2"$/);
  });

  it.each([
    [
      'EntityTooSmall',
      (e1: string, e2: string) => [
        { partNumber: 1, etag: e2 },
        { partNumber: 2, etag: e1 },
      ],
      'small-first',
    ],
    [
      'InvalidPart',
      (e1: string) => [
        { partNumber: 1, etag: '"0000"' },
        { partNumber: 2, etag: e1 },
      ],
      'big-first',
    ],
    [
      'InvalidPartOrder',
      (e1: string, e2: string) => [
        { partNumber: 2, etag: e2 },
        { partNumber: 1, etag: e1 },
      ],
      'big-first',
    ],
  ] as const)('refuses with %s', (code, parts, layout) => {
    const store = new MemoryStore(['b']);
    const id = store.startUpload('b', 'k', 'text/plain', {});
    const [first, second] = layout === 'small-first' ? [Buffer.from('x'), big] : [big, Buffer.from('tail')];
    const e1 = store.uploadPart(
      'b',
      'k',
      id,
      layout === 'small-first' ? 2 : 1,
      layout === 'small-first' ? second : first,
    );
    const e2 = store.uploadPart(
      'b',
      'k',
      id,
      layout === 'small-first' ? 1 : 2,
      layout === 'small-first' ? first : second,
    );
    expect(() => store.completeUpload('b', 'k', id, parts(e1, e2))).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('forgets an aborted upload and refuses an unknown bucket', () => {
    const store = new MemoryStore(['b']);
    const id = store.startUpload('b', 'k', 'text/plain', {});
    store.abortUpload('b', 'k', id);
    expect(() => store.uploadPart('b', 'k', id, 1, big)).toThrow(
      expect.objectContaining({ code: 'NoSuchUpload' }),
    );
    expect(() => store.object('nope', 'k')).toThrow(StoreError);
  });
});

describe('checkCreate', () => {
  it('fills the defaults Bedrock fills', () => {
    expect(checkCreate(request())).toMatchObject({
      modelInvocationType: 'InvokeModel',
      timeoutDurationInHours: 24,
      baseModelId: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    });
  });

  it.each([
    [
      { jobName: 'a'.repeat(64) },
      "at 'jobName' failed to satisfy constraint: Member must have length less than or equal to 63",
    ],
    [
      { jobName: 'job_name' },
      "Value 'job_name' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    ],
    [{ roleArn: undefined }, "Value null at 'roleArn' failed to satisfy constraint: Member must not be null"],
    [{ clientRequestToken: 'bad token' }, "at 'clientRequestToken'"],
    [
      { inputDataConfig: {} },
      "at 'inputDataConfig' failed to satisfy constraint: Member must have exactly one of [s3InputDataConfig] set",
    ],
    [
      { inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://bucket/in/', s3InputFormat: 'CSV' } } },
      'Member must satisfy enum value set: [JSONL]',
    ],
    [
      { outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://b/out/' } } },
      "at 'outputDataConfig.s3OutputDataConfig.s3Uri'",
    ],
    [{ modelInvocationType: 'Batch' }, 'Member must satisfy enum value set: [InvokeModel, Converse]'],
    [{ timeoutDurationInHours: 169 }, 'Member must have value less than or equal to 168'],
    [{ vpcConfig: { subnetIds: [] } }, "at 'vpcConfig.subnetIds'"],
    [{ tags: [{ key: '', value: 'v' }] }, "at 'tags.1.member.key'"],
  ])('refuses %j', (change, message) => {
    const error = thrown(() => checkCreate(request(change)));
    expect(error.exception).toBe('ValidationException');
    expect(error.message).toContain(message);
  });
});

describe('JobRegistry', () => {
  it('is idempotent on the token, refuses a taken name, and counts the quota per base model', () => {
    const registry = new JobRegistry({ jobsInFlight: 2 });
    const first = registry.create(request({ clientRequestToken: 't1' }), 'eu-west-1');
    expect(first.created).toBe(true);
    expect(first.job.arn).toMatch(
      /^arn:aws:bedrock:eu-west-1:123456789012:model-invocation-job\/[a-z0-9]{12}$/,
    );
    expect(registry.create(request({ clientRequestToken: 't1' }), 'eu-west-1')).toMatchObject({
      created: false,
      job: first.job,
    });
    expect(thrown(() => registry.create(request({ clientRequestToken: 't2' }), 'eu-west-1')).exception).toBe(
      'ConflictException',
    );
    registry.create(
      request({ jobName: 'n2', modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' }),
      'eu-west-1',
    );
    expect(thrown(() => registry.create(request({ jobName: 'n3' }), 'eu-west-1')).exception).toBe(
      'ServiceQuotaExceededException',
    );
    // An ended job frees its place.
    registry.stop(first.job.id);
    first.job.status = 'Stopped';
    expect(registry.create(request({ jobName: 'n3' }), 'eu-west-1').created).toBe(true);
    expect(registry.created).toBe(3);
  });

  it('finds jobs by id or ARN only', () => {
    const registry = new JobRegistry({ jobsInFlight: 20 });
    const { job } = registry.create(request(), 'us-east-1');
    expect(registry.get(job.id)).toBe(job);
    expect(registry.get(job.arn)).toBe(job);
    expect(thrown(() => registry.get(job.arn.replace('123456789012', '210987654321'))).exception).toBe(
      'ResourceNotFoundException',
    );
    expect(thrown(() => registry.get('short')).exception).toBe('ValidationException');
  });
});

describe('answerRecord', () => {
  const model = resolveModel('anthropic.claude-haiku-4-5-20251001-v1:0');
  if (!model) throw new Error('the catalogue lost Claude Haiku 4.5');
  const converse = (text: string, more: Record<string, unknown> = {}) => ({
    messages: [{ role: 'user', content: [{ text }] }],
    inferenceConfig: { maxTokens: 8 },
    ...more,
  });

  it.each([
    ['a scripted error', converse('x [[emulator:error=AccessDeniedException]]'), 403],
    ['tool use on a Converse-type job', converse('x', { toolConfig: { tools: [] } }), 400],
    ['an invalid body', { messages: [] }, 400],
  ])('fails the record for %s, with the HTTP status as errorCode', (_case, input, code) => {
    const answer = answerRecord('Converse', model, input, new Arrivals(), 'r1');
    expect(answer).toMatchObject({ ok: false, error: { errorCode: code, errorMessage: expect.any(String) } });
  });

  it('fails a fail=1 record once, then answers the same record in a later job', () => {
    const arrivals = new Arrivals();
    const input = converse('x [[emulator:fail=1:ModelTimeoutException]]');
    expect(answerRecord('Converse', model, input, arrivals, 'r1')).toMatchObject({
      ok: false,
      error: { errorCode: 408 },
    });
    expect(answerRecord('Converse', model, input, arrivals, 'r1')).toMatchObject({ ok: true });
  });

  it('ignores throttle, which Bedrock absorbs inside a job', () => {
    expect(
      answerRecord('Converse', model, converse('x [[emulator:throttle=3]]'), new Arrivals(), 'r1').ok,
    ).toBe(true);
  });
});

describe('Executor', () => {
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        recordId: `r${i}`,
        modelInput: { messages: [{ role: 'user', content: [{ text: `t${i}` }] }] },
      }),
    ).join('\n');

  async function runJob(
    lines: string,
    settings: Partial<ConstructorParameters<typeof Executor>[0]> = {},
    stop = false,
  ): Promise<Job> {
    const store = new MemoryStore(['bkt']);
    await store.put('bkt', 'in/x.jsonl', Buffer.from(lines));
    const registry = new JobRegistry({ jobsInFlight: 20 });
    const executor = new Executor(
      { stepMs: 0, recordsPerStep: 30, minRecords: 100, maxRecords: 50_000, seed: 1, ...settings },
      store,
      new Arrivals(),
    );
    const { job } = registry.create(
      request({
        modelInvocationType: 'Converse',
        inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://bkt/in/' } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://bkt/out' } },
      }),
      'us-east-1',
    );
    executor.start(job);
    if (stop) {
      while (job.processedRecordCount === 0) await new Promise((resolve) => setImmediate(resolve));
      registry.stop(job.id);
    }
    while (ACTIVE.has(job.status)) await new Promise((resolve) => setTimeout(resolve, 1));
    return job;
  }

  it('goes through every status in order, InProgress for several slices', async () => {
    const job = await runJob(records(100));
    expect(job.history).toEqual(['Submitted', 'Validating', 'Scheduled', 'InProgress', 'Completed']);
    expect(job).toMatchObject({ totalRecordCount: 100, processedRecordCount: 100, successRecordCount: 100 });
  });

  it('fails a job below the minimum, and one above the maximum', async () => {
    const few = await runJob(records(5), { minRecords: 6 });
    expect(few.history).toEqual(['Submitted', 'Validating', 'Failed']);
    expect(few.message).toContain('5 records, fewer than the minimum of 6');
    const many = await runJob(records(11), { minRecords: 1, maxRecords: 10 });
    expect(many.message).toContain('more than the maximum of 10');
  });

  it('stops midway through Stopping to Stopped', async () => {
    const job = await runJob(records(200), { recordsPerStep: 10 }, true);
    expect(job.history.slice(-2)).toEqual(['Stopping', 'Stopped']);
    expect(job.processedRecordCount).toBeLessThan(200);
  });
});

describe('batchEmulatorSettings', () => {
  it('defaults as the help says and reads every flag', () => {
    const knobs = {
      batchRecordsPerStep: 100,
      batchOutputFlat: false,
      batchRefuseProfileOnly: false,
      batchControlFailRate: 0,
      batchCreateLostReplies: 0,
      s3UploadFailRate: 0,
      requireGuardrail: false,
      deniedGuardrailActions: [],
    };
    expect(batchEmulatorSettings({})).toEqual({
      batchStepMs: 20,
      batchMinRecords: 100,
      batchJobsInFlight: 20,
      s3Buckets: [],
      ...knobs,
    });
    expect(
      batchEmulatorSettings({
        'batch-step-ms': '0',
        'batch-min-records': '1',
        'batch-jobs-in-flight': '3',
        's3-bucket': ['in-bucket', 'out.bucket'],
        's3-endpoint': 'http://127.0.0.1:5000',
        'batch-records-per-step': '1',
        'batch-output-flat': true,
        'batch-refuse-profile-only': true,
        'batch-control-fail-rate': '0.2',
        'batch-create-lost-replies': '2',
        's3-upload-fail-rate': '0.1',
        'batch-hold-at': '100',
        'require-guardrail': true,
        'deny-guardrail-action': ['GetGuardrail', 'ListGuardrails'],
      }),
    ).toEqual({
      requireGuardrail: true,
      deniedGuardrailActions: ['GetGuardrail', 'ListGuardrails'],
      batchStepMs: 0,
      batchMinRecords: 1,
      batchJobsInFlight: 3,
      s3Buckets: ['in-bucket', 'out.bucket'],
      s3Endpoint: 'http://127.0.0.1:5000',
      batchRecordsPerStep: 1,
      batchOutputFlat: true,
      batchRefuseProfileOnly: true,
      batchControlFailRate: 0.2,
      batchCreateLostReplies: 2,
      s3UploadFailRate: 0.1,
      batchHoldAt: 100,
    });
  });

  it.each([
    [{ 'batch-step-ms': '-5' }, '--batch-step-ms must be a whole number from 0 up, got "-5"'],
    [{ 'batch-min-records': '0' }, '--batch-min-records must be a whole number from 1 up, got "0"'],
    [
      { 's3-endpoint': 'localhost:5000' },
      '--s3-endpoint must be an http:// or https:// URL, got "localhost:5000"',
    ],
    [{ 's3-bucket': 'Bad_Bucket' }, '--s3-bucket must be a valid S3 bucket name, got "Bad_Bucket"'],
  ])('refuses %j', (raw, message) => {
    expect(() => batchEmulatorSettings(raw)).toThrow(message);
  });
});

describe('readInput', () => {
  const line = (id?: string) =>
    JSON.stringify({ ...(id ? { recordId: id } : {}), modelInput: { messages: [] } });
  const store = new MemoryStore(['bkt']);
  void store.put('bkt', 'runs/a.jsonl', Buffer.from(`${line('a1')}\n\n${line()}\r\n`));
  void store.put('bkt', 'runs/sub/b.jsonl', Buffer.from(line('b1')));
  void store.put('bkt', 'runs/readme.md', Buffer.from('not input'));
  void store.put('bkt', 'runs-other/c.jsonl', Buffer.from(line('c1')));

  it.each([
    ['a prefix with a slash', 's3://bkt/runs/', ['a.jsonl', 'sub/b.jsonl']],
    ['a prefix without one', 's3://bkt/runs', ['a.jsonl', 'sub/b.jsonl']],
    ['one object', 's3://bkt/runs/sub/b.jsonl', ['b.jsonl']],
  ])('reads the .jsonl files of %s', async (_case, uri, names) => {
    const { files } = await readInput(store, uri);
    expect(files.map((f) => f.name)).toEqual(names);
  });

  it('skips blank lines and gives a record without an id one of 11 characters', async () => {
    const { files } = await readInput(store, 's3://bkt/runs/a.jsonl');
    expect(files[0]?.records.map((r) => r.recordId)).toEqual(['a1', 'RECORD00001']);
  });

  it('fails on a missing bucket, naming the URI', async () => {
    await expect(readInput(store, 's3://nope/runs/')).rejects.toThrow(JobFailure);
    await expect(readInput(store, 's3://nope/runs/')).rejects.toThrow('could not read s3://nope/runs/');
  });
});
