/**
 * A model invocation job as the control plane keeps it, and its wire form (the members of
 * botocore's GetModelInvocationJobResponse / ModelInvocationJobSummary, timestamps ISO-8601).
 */

export const STATUSES = [
  'Submitted',
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped',
  'PartiallyCompleted',
  'Expired',
  'Validating',
  'Scheduled',
] as const;
export type JobStatus = (typeof STATUSES)[number];

/** Statuses that hold a place in the jobs-in-flight quota and that the executor still moves on. */
export const ACTIVE: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'Submitted',
  'Validating',
  'Scheduled',
  'InProgress',
  'Stopping',
]);

export type InvocationType = 'InvokeModel' | 'Converse';

export interface S3Config {
  s3Uri: string;
  [member: string]: unknown;
}

export interface Job {
  id: string;
  arn: string;
  name: string;
  /** The model id as given (base id, profile or ARN). */
  modelId: string;
  /** The base model it resolves to: the quota counts jobs per base model. */
  baseModelId: string;
  clientRequestToken: string;
  roleArn: string;
  status: JobStatus;
  message?: string;
  submitTime: Date;
  lastModifiedTime: Date;
  endTime?: Date;
  jobExpirationTime: Date;
  inputDataConfig: { s3InputDataConfig: S3Config };
  outputDataConfig: { s3OutputDataConfig: S3Config };
  vpcConfig?: unknown;
  timeoutDurationInHours: number;
  modelInvocationType: InvocationType;
  totalRecordCount: number;
  processedRecordCount: number;
  successRecordCount: number;
  errorRecordCount: number;
  /** Tokens of the records answered, for the manifest and the stats. */
  inputTokenCount: number;
  outputTokenCount: number;
  /** The request without its token, to tell a retried Create from a different one. */
  fingerprint: string;
  /** Every status the job has had, in order (not on the wire; for tests of the progression). */
  history: JobStatus[];
}

/** The job as Get and List return it. */
export function jobWire(job: Job): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    jobArn: job.arn,
    jobName: job.name,
    modelId: job.modelId,
    clientRequestToken: job.clientRequestToken,
    roleArn: job.roleArn,
    status: job.status,
    ...(job.message === undefined ? {} : { message: job.message }),
    submitTime: job.submitTime.toISOString(),
    lastModifiedTime: job.lastModifiedTime.toISOString(),
    ...(job.endTime === undefined ? {} : { endTime: job.endTime.toISOString() }),
    inputDataConfig: job.inputDataConfig,
    outputDataConfig: job.outputDataConfig,
    ...(job.vpcConfig === undefined ? {} : { vpcConfig: job.vpcConfig }),
    timeoutDurationInHours: job.timeoutDurationInHours,
    jobExpirationTime: job.jobExpirationTime.toISOString(),
    modelInvocationType: job.modelInvocationType,
    totalRecordCount: job.totalRecordCount,
    processedRecordCount: job.processedRecordCount,
    successRecordCount: job.successRecordCount,
    errorRecordCount: job.errorRecordCount,
  };
  return wire;
}

/** Moves a job to a status, stamping the times Bedrock stamps. */
export function setStatus(job: Job, status: JobStatus, message?: string): void {
  job.status = status;
  job.history.push(status);
  job.lastModifiedTime = new Date();
  if (message !== undefined) job.message = message;
  if (!ACTIVE.has(status)) job.endTime = job.lastModifiedTime;
}
