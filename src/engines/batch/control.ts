/**
 * The control-plane calls, each reduced to what the engine decides on. Create is idempotent by its
 * clientRequestToken; when Bedrock has forgotten the token but kept the name (ConflictException), the
 * job is found by its name, which carries the content hash, so it holds the same records.
 */
import {
  type BedrockClient,
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  ListModelInvocationJobsCommand,
  StopModelInvocationJobCommand,
} from '@aws-sdk/client-bedrock';
import { RunBatchError } from '../../errors.js';
import { type JobState, type JobStatus, TERMINAL } from './state.js';

export type CreateResult =
  | { kind: 'created'; arn: string }
  /** The jobs-in-flight quota is full: try again when one of ours ends. */
  | { kind: 'full'; message: string }
  /** Bedrock will not take this job as it is (validation, access, model): its rows fail. */
  | { kind: 'refused'; code: string; message: string };

const REFUSED = new Set(['ValidationException', 'AccessDeniedException', 'ResourceNotFoundException']);

export async function createJob(
  bedrock: BedrockClient,
  job: JobState,
  roleArn: string,
  timeoutHours: number | undefined,
  tags: Array<{ key: string; value: string }> = [],
): Promise<CreateResult> {
  try {
    const output = await bedrock.send(
      new CreateModelInvocationJobCommand({
        jobName: job.name,
        clientRequestToken: job.token,
        roleArn,
        modelId: job.model,
        modelInvocationType: job.type,
        inputDataConfig: { s3InputDataConfig: { s3Uri: job.inputUri, s3InputFormat: 'JSONL' } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: job.outputUri } },
        ...(timeoutHours === undefined ? {} : { timeoutDurationInHours: timeoutHours }),
        // --tag: records take no request metadata, so the job carries the run's tags instead.
        ...(tags.length === 0 ? {} : { tags }),
      }),
    );
    if (!output.jobArn) throw new Error('CreateModelInvocationJob returned no jobArn');
    return { kind: 'created', arn: output.jobArn };
  } catch (error) {
    const name = (error as Error).name;
    const message = (error as Error).message;
    if (name === 'ServiceQuotaExceededException') return { kind: 'full', message };
    if (name === 'ConflictException') {
      const arn = await findByName(bedrock, job.name);
      if (arn !== undefined) return { kind: 'created', arn };
      return { kind: 'refused', code: name, message };
    }
    if (REFUSED.has(name)) return { kind: 'refused', code: name, message };
    throw credentialsError(error) ?? error;
  }
}

async function findByName(bedrock: BedrockClient, name: string): Promise<string | undefined> {
  return (await listJobs(bedrock, name)).find((job) => job.name === name)?.arn;
}

/** A job as ListModelInvocationJobs describes it, reduced to what attaching needs. */
export interface FoundJob {
  name: string;
  arn: string;
  status: JobStatus;
  outputUri: string;
  message?: string;
  submitTime?: string;
  endTime?: string;
  expiresAt?: string;
}

/** Every job whose name contains `text`, page by page. */
export async function listJobs(bedrock: BedrockClient, text: string): Promise<FoundJob[]> {
  const found: FoundJob[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await bedrock.send(
        new ListModelInvocationJobsCommand({
          nameContains: text,
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const s of page.invocationJobSummaries ?? []) {
        if (!s.jobArn || !s.jobName) continue;
        found.push({
          name: s.jobName,
          arn: s.jobArn,
          status: (s.status ?? 'Submitted') as JobStatus,
          outputUri: s.outputDataConfig?.s3OutputDataConfig?.s3Uri ?? '',
          ...(s.message ? { message: s.message } : {}),
          ...(s.submitTime ? { submitTime: s.submitTime.toISOString() } : {}),
          ...(s.endTime ? { endTime: s.endTime.toISOString() } : {}),
          ...(s.jobExpirationTime ? { expiresAt: s.jobExpirationTime.toISOString() } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw credentialsError(error) ?? error;
  }
  return found;
}

export interface JobDetail {
  status: JobStatus;
  message?: string;
  processed?: number;
  total?: number;
  endTime?: string;
  submitTime?: string;
  expiresAt?: string;
}

export async function getJob(bedrock: BedrockClient, arn: string): Promise<JobDetail> {
  try {
    const job = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: arn }));
    // Only an ended job has an end time (Bedrock may leave endTime out: its last change is the end).
    const ended = job.status && TERMINAL.has(job.status) ? (job.endTime ?? job.lastModifiedTime) : undefined;
    return {
      status: (job.status ?? 'Submitted') as JobStatus,
      ...(job.message ? { message: job.message } : {}),
      ...(job.processedRecordCount === undefined ? {} : { processed: job.processedRecordCount }),
      ...(job.totalRecordCount === undefined ? {} : { total: job.totalRecordCount }),
      ...(ended ? { endTime: ended.toISOString() } : {}),
      ...(job.submitTime ? { submitTime: job.submitTime.toISOString() } : {}),
      ...(job.jobExpirationTime ? { expiresAt: job.jobExpirationTime.toISOString() } : {}),
    };
  } catch (error) {
    throw credentialsError(error) ?? error;
  }
}

/** Stops a job; one that has already ended is not an error (undefined), anything else is its message. */
export async function stopJob(bedrock: BedrockClient, arn: string): Promise<string | undefined> {
  try {
    await bedrock.send(new StopModelInvocationJobCommand({ jobIdentifier: arn }));
    return undefined;
  } catch (error) {
    const known = credentialsError(error);
    if (known) throw known;
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

// No credentials at all, or keys Bedrock (UnrecognizedClient) or S3 (InvalidAccessKeyId,
// SignatureDoesNotMatch) do not accept.
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
]);

/** A missing or rejected credential, from either client: a setup failure, not a reason to retry. */
export function credentialsError(error: unknown): RunBatchError | undefined {
  const name = (error as Error | undefined)?.name;
  if (name === undefined || !CREDENTIAL_ERRORS.has(name)) return undefined;
  return new RunBatchError(
    'CREDENTIALS',
    `no usable AWS credentials for Bedrock batch (${(error as Error).message.split('\n')[0]}); set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --emulate`,
    { cause: error },
  );
}
