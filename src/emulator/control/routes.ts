/**
 * The control plane's four operations on their REST paths (botocore `bedrock` 2023-04-20):
 * POST /model-invocation-job, GET /model-invocation-job/{id}, POST /model-invocation-job/{id}/stop
 * and GET /model-invocation-jobs. The job identifier is an ARN, URL-encoded in the path, so the
 * path is split before it is decoded.
 */
import { randomUUID } from 'node:crypto';
import { header, type Request, type Response, readBody, sendJson } from '../wire/http.js';
import { ControlError, sendCaught, sendUnknownOperation } from './errors.js';
import type { ControlFaults } from './faults.js';
import type { Job } from './job.js';
import { jobWire } from './job.js';
import type { JobRegistry } from './jobs.js';

const JOB = /^\/model-invocation-job\/([^/]+)(\/stop)?$/;

export function isControlPath(path: string): boolean {
  return path === '/model-invocation-job' || path === '/model-invocation-jobs' || JOB.test(path);
}

export interface ControlHooks {
  /** A Create made a new job: the executor starts it. */
  started(job: Job): void;
  faults?: ControlFaults;
  /** A new job's `tags`, for ListTagsForResource on its ARN. */
  tagged?(arn: string, tags: Array<{ key: string; value: string }>): void;
}

export async function handleControl(
  req: Request,
  res: Response,
  path: string,
  query: URLSearchParams,
  registry: JobRegistry,
  hooks: ControlHooks,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const match = JOB.exec(path);
    const operation =
      path === '/model-invocation-job' ? 'create' : match?.[2] ? 'stop' : match ? 'get' : 'list';
    const fault = hooks.faults?.before(operation);
    if (fault) throw fault;
    if (path === '/model-invocation-job' && method === 'POST') {
      const parsed = parseBody(body);
      const { job, created } = registry.create(parsed, regionOf(req));
      if (created) hooks.started(job);
      const tags = (parsed as { tags?: unknown }).tags;
      if (created && Array.isArray(tags) && tags.length > 0) hooks.tagged?.(job.arn, tags);
      // Bedrock made (and bills) the job, but the answer never reaches the client (a retry with
      // the same token is lost too while the knob lasts).
      if (hooks.faults?.loseCreateReply())
        throw new ControlError('InternalServerException', 'Internal server error.');
      return sendJson(res, 200, { jobArn: job.arn }, requestId);
    }
    if (path === '/model-invocation-jobs' && method === 'GET')
      return sendJson(res, 200, registry.list(query), requestId);
    const identifier = decode(match?.[1] ?? '');
    if (match && !match[2] && method === 'GET')
      return sendJson(res, 200, jobWire(registry.get(identifier)), requestId);
    if (match?.[2] && method === 'POST') {
      registry.stop(identifier);
      return sendJson(res, 200, {}, requestId);
    }
    return sendUnknownOperation(res, method, path, requestId);
  } catch (error) {
    sendCaught(res, error, requestId);
  }
}

function parseBody(body: Buffer): unknown {
  try {
    return body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError('ValidationException', 'The request body is not valid JSON.');
  }
}

function decode(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}

/** The region the client signed for (SigV4 scope `KEY/DATE/REGION/SERVICE/aws4_request`). */
export function regionOf(req: Request): string {
  const scope = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(header(req, 'authorization') ?? '');
  return scope?.[1] ?? 'us-east-1';
}
