/**
 * The control plane through unmodified `@aws-sdk/client-bedrock`: botocore's shapes and restJson1
 * errors (the SDK maps each to its modeled exception class), idempotent client tokens, name
 * conflicts, the jobs-in-flight quota, List's filters and pages, and Stop. Jobs step slowly here
 * (100 ms, 10 records a step) so they are still in flight while a test looks at them.
 */
import {
  ConflictException,
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  ListModelInvocationJobsCommand,
  paginateListModelInvocationJobs,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StopModelInvocationJobCommand,
  ValidationException,
} from '@aws-sdk/client-bedrock';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import {
  bedrockClient,
  converseRecords,
  getText,
  HAIKU_45,
  jobIdOf,
  jobInput,
  jsonl,
  parseLines,
  prompts,
  putText,
  s3Client,
  submit,
  waitForJob,
} from '../helpers/emulator-batch.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'control-bucket';
const used = useEmulator({
  batchStepMs: 100,
  batchRecordsPerStep: 10,
  batchJobsInFlight: 3,
  s3Buckets: [BUCKET],
});
const IN = `s3://${BUCKET}/in/`;
const OUT = `s3://${BUCKET}/out/`;

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('CreateModelInvocationJob and GetModelInvocationJob', () => {
  it('returns a job ARN, and Get returns the job by ARN or by id with botocore members', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const input = jobInput(IN, OUT, {
      modelInvocationType: 'Converse',
      timeoutDurationInHours: 48,
      tags: [{ key: 'team', value: 'nightly' }],
    });
    const arn = await submit(bedrock, input);
    const byArn = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: arn }));
    const byId = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobIdOf(arn) }));
    expect(byId.jobArn).toBe(arn);
    expect(byArn).toMatchObject({
      jobArn: arn,
      jobName: input.jobName,
      modelId: HAIKU_45,
      roleArn: input.roleArn,
      status: 'Submitted',
      inputDataConfig: { s3InputDataConfig: { s3Uri: IN } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: OUT } },
      timeoutDurationInHours: 48,
      modelInvocationType: 'Converse',
      totalRecordCount: 0,
      processedRecordCount: 0,
    });
    // The SDK fills the token in; it comes back as sent.
    expect(byArn.clientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(byArn.submitTime).toBeInstanceOf(Date);
    expect(byArn.jobExpirationTime?.getTime()).toBe((byArn.submitTime?.getTime() ?? 0) + 48 * 3_600_000);
  });

  it('returns the same job for a repeated clientRequestToken, and counts one job', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const input = jobInput(IN, OUT, { clientRequestToken: 'run-batch-0123abcd-chunk-1' });
    const first = await submit(bedrock, input);
    const again = await submit(bedrock, input);
    expect(again).toBe(first);
    expect(used.emulator.stats().batch).toMatchObject({ jobs: 1, submissions: 2 });
  });

  it('refuses a taken job name with another token, and a token reused for another request', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const input = jobInput(IN, OUT, { clientRequestToken: 'token-a' });
    await submit(bedrock, input);
    const name = await rejection(submit(bedrock, { ...input, clientRequestToken: 'token-b' }));
    expect(name).toBeInstanceOf(ConflictException);
    expect(name.message).toContain(input.jobName);
    expect(name.$metadata?.httpStatusCode).toBe(400);
    const token = await rejection(submit(bedrock, { ...input, jobName: 'another-name' }));
    expect(token).toBeInstanceOf(ConflictException);
    expect(used.emulator.stats().batch.jobs).toBe(1);
  });

  it.each([
    [
      'jobName',
      { jobName: 'has spaces' },
      "Value 'has spaces' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    ],
    ['roleArn', { roleArn: 'arn:aws:iam::123:user/me' }, "at 'roleArn' failed to satisfy constraint"],
    [
      'input s3Uri',
      { inputDataConfig: { s3InputDataConfig: { s3Uri: 'https://bucket/in/' } } },
      "at 'inputDataConfig.s3InputDataConfig.s3Uri'",
    ],
    [
      'output s3Uri',
      { outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://UPPER/out/' } } },
      "at 'outputDataConfig.s3OutputDataConfig.s3Uri'",
    ],
    ['timeout', { timeoutDurationInHours: 12 }, 'Member must have value greater than or equal to 24'],
    ['model', { modelId: 'acme.unknown-model-v1:0' }, 'The provided model identifier is invalid.'],
  ])('answers ValidationException for a bad %s', async (_field, change, message) => {
    const bedrock = bedrockClient(used.emulator.url);
    const error = await rejection(submit(bedrock, jobInput(IN, OUT, change)));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain(message);
  });

  it('reports every violation of a request at once', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const error = await rejection(submit(bedrock, jobInput(IN, OUT, { jobName: '-bad', roleArn: 'nope' })));
    expect(error.message).toMatch(/^2 validation errors detected: /);
  });

  it('answers ServiceQuotaExceededException past the jobs in flight per model, whatever the profile', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    await submit(bedrock, jobInput(IN, OUT));
    await submit(bedrock, jobInput(IN, OUT, { modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' }));
    await submit(bedrock, jobInput(IN, OUT, { modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0' }));
    const error = await rejection(submit(bedrock, jobInput(IN, OUT)));
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    expect(error.message).toContain('quota of 3');
    // Another model has its own quota.
    await submit(bedrock, jobInput(IN, OUT, { modelId: 'amazon.nova-lite-v1:0' }));
    expect(used.emulator.stats().batch.jobs).toBe(4);
  });

  it('answers ResourceNotFoundException for an unknown job and ValidationException for a malformed id', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const missing = await rejection(
      bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: 'abcdefghijkl' })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.$metadata?.httpStatusCode).toBe(404);
    const malformed = await rejection(
      bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: 'NOT-AN-ID' })),
    );
    expect(malformed).toBeInstanceOf(ValidationException);
  });
});

describe('ListModelInvocationJobs', () => {
  it('filters by name and status, sorts by creation time and pages with nextToken', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const names = ['nightly-a', 'nightly-b', 'other-c'];
    const arns: string[] = [];
    for (const [i, jobName] of names.entries())
      arns.push(
        await submit(
          bedrock,
          jobInput(IN, OUT, {
            jobName,
            modelId: ['amazon.nova-lite-v1:0', 'amazon.nova-pro-v1:0', 'amazon.nova-micro-v1:0'][i],
          }),
        ),
      );
    const nightly = await bedrock.send(
      new ListModelInvocationJobsCommand({ nameContains: 'nightly', sortOrder: 'Ascending' }),
    );
    expect(nightly.invocationJobSummaries?.map((j) => j.jobName)).toEqual(['nightly-a', 'nightly-b']);
    const newestFirst = await bedrock.send(new ListModelInvocationJobsCommand({}));
    expect(newestFirst.invocationJobSummaries?.map((j) => j.jobArn)).toEqual([...arns].reverse());
    const pages: string[][] = [];
    for await (const page of paginateListModelInvocationJobs(
      { client: bedrock, pageSize: 2 },
      { sortOrder: 'Ascending' },
    ))
      pages.push((page.invocationJobSummaries ?? []).map((j) => j.jobName ?? ''));
    expect(pages).toEqual([['nightly-a', 'nightly-b'], ['other-c']]);
    const failed = await bedrock.send(new ListModelInvocationJobsCommand({ statusEquals: 'Failed' }));
    expect(failed.invocationJobSummaries).toEqual([]);
    const bad = await rejection(bedrock.send(new ListModelInvocationJobsCommand({ maxResults: 0 })));
    expect(bad).toBeInstanceOf(ValidationException);
  });
});

describe('StopModelInvocationJob', () => {
  it('takes an InProgress job through Stopping to Stopped and writes the records answered so far', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const s3 = s3Client(used.emulator.url);
    await putText(s3, BUCKET, 'stop/in.jsonl', jsonl(converseRecords(prompts(300))));
    const arn = await submit(
      bedrock,
      jobInput(`s3://${BUCKET}/stop/`, OUT, { modelInvocationType: 'Converse' }),
    );
    await waitForJob(
      bedrock,
      arn,
      (job) => job.status === 'InProgress' && (job.processedRecordCount ?? 0) > 0,
    );
    await bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: arn }));
    const stopping = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: arn }));
    expect(stopping.status).toBe('Stopping');
    const { job } = await waitForJob(bedrock, arn);
    expect(job.status).toBe('Stopped');
    expect(job.processedRecordCount).toBeGreaterThan(0);
    expect(job.processedRecordCount).toBeLessThan(300);
    const lines = parseLines(await getText(s3, BUCKET, `out/${jobIdOf(arn)}/in.jsonl.out`));
    expect(lines).toHaveLength(job.processedRecordCount ?? -1);
    const manifest = JSON.parse(await getText(s3, BUCKET, `out/${jobIdOf(arn)}/manifest.json.out`));
    expect(manifest).toMatchObject({ totalRecordCount: 300, processedRecordCount: job.processedRecordCount });
    expect(used.emulator.stats().batch.byStatus.Stopped).toBe(1);
    // A stopped job no longer holds a place in the quota, and cannot be stopped again.
    const again = await rejection(bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: arn })));
    expect(again).toBeInstanceOf(ValidationException);
  });

  it('stops a job before it reads its input, with no output', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const arn = await submit(bedrock, jobInput(IN, OUT));
    await bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: jobIdOf(arn) }));
    const { job, seen } = await waitForJob(bedrock, arn);
    expect(seen).toEqual(['Stopping', 'Stopped']);
    expect(job.processedRecordCount).toBe(0);
  });
});

describe('the emulator reset', () => {
  it('forgets jobs and buckets contents, keeping the configured buckets', async () => {
    const bedrock = bedrockClient(used.emulator.url);
    const arn = await submit(bedrock, jobInput(IN, OUT));
    used.emulator.reset();
    expect(
      await rejection(bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: arn }))),
    ).toBeInstanceOf(ResourceNotFoundException);
    expect(used.emulator.stats().batch.jobs).toBe(0);
    await putText(s3Client(used.emulator.url), BUCKET, 'after-reset.txt', 'still here');
  });
});

it('answers ValidationException naming the missing members of an empty Create', async () => {
  const bedrock = bedrockClient(used.emulator.url);
  const error = await rejection(bedrock.send(new CreateModelInvocationJobCommand({} as never)));
  expect(error).toBeInstanceOf(ValidationException);
  expect(error.message).toContain(
    "Value null at 'jobName' failed to satisfy constraint: Member must not be null",
  );
});
