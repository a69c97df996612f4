/**
 * The real clients of Batch Inference pointed at an emulator (`@aws-sdk/client-bedrock` for the
 * control plane, `@aws-sdk/client-s3` path-style), and the steps every batch test takes: write
 * records as JSONL, submit a job, poll it to its end, read its output.
 */
import {
  BedrockClient,
  CreateModelInvocationJobCommand,
  type CreateModelInvocationJobCommandInput,
  GetModelInvocationJobCommand,
  type GetModelInvocationJobCommandOutput,
} from '@aws-sdk/client-bedrock';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
export const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatch';
export const HAIKU_45 = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

export function bedrockClient(url: string): BedrockClient {
  return new BedrockClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
}

export function s3Client(url: string): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
  });
}

export interface BatchRecord {
  recordId?: string;
  modelInput: Record<string, unknown>;
}

/** Converse request bodies, one per prompt, with record ids `R0001`... */
export function converseRecords(prompts: string[], maxTokens = 12): BatchRecord[] {
  return prompts.map((text, i) => ({
    recordId: `R${String(i + 1).padStart(4, '0')}`,
    modelInput: { messages: [{ role: 'user', content: [{ text }] }], inferenceConfig: { maxTokens } },
  }));
}

/** Native Anthropic Messages bodies, for InvokeModel-type jobs. */
export function anthropicRecords(prompts: string[], maxTokens = 12): BatchRecord[] {
  return prompts.map((text, i) => ({
    recordId: `A${String(i + 1).padStart(4, '0')}`,
    modelInput: {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: maxTokens,
      messages: [{ role: 'user', content: text }],
    },
  }));
}

export function prompts(n: number, label = 'Summarize ticket'): string[] {
  return Array.from({ length: n }, (_, i) => `${label} ${i + 1}`);
}

export function jsonl(records: readonly BatchRecord[]): string {
  return `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

export async function putText(s3: S3Client, bucket: string, key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((item) => item.Key ?? '');
}

let jobs = 0;

/** A CreateModelInvocationJob input; `name` defaults to a fresh one. */
export function jobInput(
  input: string,
  output: string,
  more: Partial<CreateModelInvocationJobCommandInput> = {},
): CreateModelInvocationJobCommandInput {
  return {
    jobName: `test-job-${process.pid}-${++jobs}`,
    roleArn: ROLE,
    modelId: HAIKU_45,
    inputDataConfig: { s3InputDataConfig: { s3Uri: input } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: output } },
    ...more,
  };
}

export async function submit(
  bedrock: BedrockClient,
  input: CreateModelInvocationJobCommandInput,
): Promise<string> {
  const { jobArn } = await bedrock.send(new CreateModelInvocationJobCommand(input));
  if (!jobArn) throw new Error('CreateModelInvocationJob returned no jobArn');
  return jobArn;
}

const ACTIVE = new Set(['Submitted', 'Validating', 'Scheduled', 'InProgress', 'Stopping']);

/** Polls GetModelInvocationJob until the job ends (or `until` holds); returns it and every status seen. */
export async function waitForJob(
  bedrock: BedrockClient,
  jobArn: string,
  until: (job: GetModelInvocationJobCommandOutput) => boolean = (job) => !ACTIVE.has(job.status ?? ''),
): Promise<{ job: GetModelInvocationJobCommandOutput; seen: string[] }> {
  const seen: string[] = [];
  for (let polls = 0; polls < 3000; polls++) {
    const job = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
    if (seen.at(-1) !== job.status) seen.push(job.status ?? '');
    if (until(job)) return { job, seen };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`job ${jobArn} did not reach the expected state; statuses seen: ${seen.join(', ')}`);
}

export function jobIdOf(jobArn: string): string {
  return jobArn.slice(jobArn.lastIndexOf('/') + 1);
}

// biome-ignore lint/suspicious/noExplicitAny: output lines are read by path
export type OutputLine = Record<string, any>;

export function parseLines(text: string): OutputLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OutputLine);
}
