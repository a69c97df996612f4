/**
 * The control plane's job registry: Create (idempotent on clientRequestToken, ConflictException on
 * a name taken by another request, ServiceQuotaExceededException past the jobs-in-flight quota per
 * base model), Get, List (filters, sort, pages) and Stop. Moving jobs on is the executor's work.
 */
import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../behaviour/generation.js';
import { resolveModel } from '../catalogue/catalogue.js';
import { checkCreate } from './create.js';
import { ControlError, Violations } from './errors.js';
import { ACTIVE, type Job, jobWire, STATUSES, setStatus } from './job.js';

const IDENTIFIER =
  '((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DEFAULT_ACCOUNT = '123456789012';

export interface RegistrySettings {
  /** Submitted + in-progress jobs allowed per base model (Bedrock's default quota is 20). */
  jobsInFlight: number;
  /**
   * Refuse a profile-only model's base id at create, as the runtime refuses it on demand (the
   * wording is the runtime's, adapted: Bedrock's batch wording is not in the reference). @default false
   */
  refuseProfileOnly?: boolean;
}

export class JobRegistry {
  private jobs = new Map<string, Job>();
  /** Counts Create calls that made a job, for the stats (idempotent repeats are not new jobs). */
  created = 0;
  /** Counts Create calls answered with a job ARN, idempotent repeats included. */
  answered = 0;

  constructor(private readonly settings: RegistrySettings) {}

  /** Returns the job and whether this call made it (false: an idempotent repeat). */
  create(body: unknown, region: string): { job: Job; created: boolean } {
    const request = checkCreate(body);
    if (
      this.settings.refuseProfileOnly &&
      request.modelId === request.baseModelId &&
      resolveModel(request.modelId)?.profileOnly
    )
      throw new ControlError(
        'ValidationException',
        `Batch inference of model ID ${request.modelId} with its base model ID isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
      );
    const { clientRequestToken, ...rest } = request;
    const fingerprint = canonicalJson(rest);
    const all = [...this.jobs.values()];
    if (clientRequestToken !== undefined) {
      const same = all.find((job) => job.clientRequestToken === clientRequestToken);
      if (same && same.fingerprint === fingerprint) {
        this.answered++;
        return { job: same, created: false };
      }
      if (same)
        throw new ControlError(
          'ConflictException',
          `The clientRequestToken ${clientRequestToken} was already used for a different request.`,
        );
    }
    if (all.some((job) => job.name === request.jobName))
      throw new ControlError(
        'ConflictException',
        `A model invocation job with the name ${request.jobName} already exists.`,
      );
    const inFlight = all.filter((job) => job.baseModelId === request.baseModelId && ACTIVE.has(job.status));
    if (inFlight.length >= this.settings.jobsInFlight)
      throw new ControlError(
        'ServiceQuotaExceededException',
        `You have reached the quota of ${this.settings.jobsInFlight} submitted and in-progress batch inference jobs for model ${request.baseModelId}. Wait for a job to finish, or request a quota increase.`,
      );
    const id = this.newId();
    // The account of the role, as jobs live in the caller's account.
    const account = /^arn:[^:]+:iam::(\d{12}):/.exec(request.roleArn)?.[1] ?? DEFAULT_ACCOUNT;
    const now = new Date();
    const job: Job = {
      id,
      arn: `arn:aws:bedrock:${region}:${account}:model-invocation-job/${id}`,
      name: request.jobName,
      modelId: request.modelId,
      baseModelId: request.baseModelId,
      // The SDKs fill the token in; a bare HTTP client may not.
      clientRequestToken: clientRequestToken ?? randomBytes(16).toString('hex'),
      roleArn: request.roleArn,
      status: 'Submitted',
      submitTime: now,
      lastModifiedTime: now,
      jobExpirationTime: new Date(now.getTime() + request.timeoutDurationInHours * 3_600_000),
      inputDataConfig: request.inputDataConfig,
      outputDataConfig: request.outputDataConfig,
      ...(request.vpcConfig === undefined ? {} : { vpcConfig: request.vpcConfig }),
      timeoutDurationInHours: request.timeoutDurationInHours,
      modelInvocationType: request.modelInvocationType,
      totalRecordCount: 0,
      processedRecordCount: 0,
      successRecordCount: 0,
      errorRecordCount: 0,
      inputTokenCount: 0,
      outputTokenCount: 0,
      fingerprint,
      history: ['Submitted'],
    };
    this.jobs.set(id, job);
    this.created++;
    this.answered++;
    return { job, created: true };
  }

  /** A job by its ARN or 12-character id. */
  get(identifier: string): Job {
    const v = new Violations();
    v.text('jobIdentifier', identifier, { required: true, max: 1011, pattern: IDENTIFIER });
    v.throwIfAny();
    const id = identifier.slice(identifier.lastIndexOf('/') + 1);
    const job = this.jobs.get(id);
    if (!job || (identifier.startsWith('arn:') && job.arn !== identifier))
      throw new ControlError(
        'ResourceNotFoundException',
        `The model invocation job ${identifier} could not be found.`,
      );
    return job;
  }

  /** Asks a job to stop; the executor takes Stopping to Stopped. Stopping again is harmless. */
  stop(identifier: string): void {
    const job = this.get(identifier);
    if (job.status === 'Stopping') return;
    if (!ACTIVE.has(job.status))
      throw new ControlError(
        'ValidationException',
        `The model invocation job ${job.id} is in status ${job.status} and can't be stopped.`,
      );
    setStatus(job, 'Stopping');
  }

  list(query: URLSearchParams): { invocationJobSummaries: unknown[]; nextToken?: string } {
    const v = new Violations();
    const after = time(v, 'submitTimeAfter', query.get('submitTimeAfter'));
    const before = time(v, 'submitTimeBefore', query.get('submitTimeBefore'));
    const status = query.get('statusEquals') ?? undefined;
    v.oneOf('statusEquals', status, STATUSES);
    const name = query.get('nameContains') ?? undefined;
    v.text('nameContains', name, { min: 1, max: 63 });
    const rawMax = query.get('maxResults');
    const maxResults = rawMax === null ? 1000 : Number(rawMax);
    if (rawMax !== null) v.integer('maxResults', /^\d+$/.test(rawMax) ? maxResults : rawMax, 1, 1000);
    v.oneOf('sortBy', query.get('sortBy') ?? undefined, ['CreationTime']);
    const order = query.get('sortOrder') ?? 'Descending';
    v.oneOf('sortOrder', order, ['Ascending', 'Descending']);
    const token = query.get('nextToken');
    const start = token === null ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString(), 10);
    if (token !== null && !(Number.isInteger(start) && start >= 0))
      v.add('nextToken', token, 'Member must be a token from a previous response');
    v.throwIfAny();
    const matching = [...this.jobs.values()]
      .filter(
        (job) =>
          (after === undefined || job.submitTime > after) &&
          (before === undefined || job.submitTime < before),
      )
      .filter(
        (job) =>
          (status === undefined || job.status === status) && (name === undefined || job.name.includes(name)),
      )
      // Creation order breaks ties between jobs submitted in the same millisecond.
      .map((job, index) => ({ job, index }))
      .sort((a, b) => a.job.submitTime.getTime() - b.job.submitTime.getTime() || a.index - b.index)
      .map(({ job }) => job);
    if (order === 'Descending') matching.reverse();
    const page = matching.slice(start, start + maxResults);
    const next = start + maxResults;
    return {
      invocationJobSummaries: page.map(jobWire),
      ...(next < matching.length ? { nextToken: Buffer.from(String(next)).toString('base64url') } : {}),
    };
  }

  all(): Job[] {
    return [...this.jobs.values()];
  }

  clear(): void {
    this.jobs.clear();
    this.created = 0;
    this.answered = 0;
  }

  private newId(): string {
    for (;;) {
      const id = [...randomBytes(12)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
      if (!this.jobs.has(id)) return id;
    }
  }
}

function time(v: Violations, path: string, value: string | null): Date | undefined {
  if (value === null) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) v.add(path, value, 'Member must be a timestamp');
  return date;
}
