/**
 * The control plane's inference-profile and tagging operations on their REST paths (botocore
 * `bedrock` 2023-04-20): POST /inference-profiles (CreateInferenceProfile, 201), GET
 * /inference-profiles (ListInferenceProfiles), GET and DELETE /inference-profiles/{identifier}
 * (Get/DeleteInferenceProfile; the identifier may be an ARN, URL-encoded in the path), and POST
 * /tagResource, /untagResource, /listTagsForResource for application profiles (and the tags a
 * model invocation job was created with).
 */
import { randomUUID } from 'node:crypto';
import { resolveModel } from '../catalogue/catalogue.js';
import type { Profile, ProfileStore } from '../catalogue/profiles.js';
import { type Request, type Response, readBody, sendJson } from '../wire/http.js';
import {
  ControlError,
  decodeLabel,
  isObject,
  jsonBody,
  sendCaught,
  sendUnknownOperation,
  Violations,
} from './errors.js';
import { regionOf } from './routes.js';

const ONE = /^\/inference-profiles\/([^/]+)$/;
const TAG_PATHS = new Set(['/tagResource', '/untagResource', '/listTagsForResource']);
const IDENTIFIER =
  '(arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):(|[0-9]{12}):(inference-profile|application-inference-profile)/)?[a-zA-Z0-9-:.]+';
const SOURCE =
  'arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):(|[0-9]{12}):(inference-profile|foundation-model)/[a-zA-Z0-9-:.]+';
const NAME = '([0-9a-zA-Z][ _-]?)+';
const DESCRIPTION = '([0-9a-zA-Z:.][ _-]?)+';
const TOKEN = '[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?';
const TAG = '[a-zA-Z0-9\\s._:/=+@-]*';

export function isProfilePath(path: string): boolean {
  return path === '/inference-profiles' || ONE.test(path) || TAG_PATHS.has(path);
}

export async function handleProfiles(
  req: Request,
  res: Response,
  path: string,
  query: URLSearchParams,
  store: ProfileStore,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const body = jsonBody(await readBody(req));
    const method = req.method ?? 'GET';
    const region = regionOf(req);
    store.count(operationOf(path, method));
    if (path === '/inference-profiles' && method === 'POST')
      return sendJson(res, 201, created(store, body, region), requestId);
    if (path === '/inference-profiles' && method === 'GET')
      return sendJson(res, 200, list(store, query, region), requestId);
    if (TAG_PATHS.has(path) && method === 'POST')
      return sendJson(res, 200, tagging(store, path, body), requestId);
    const identifier = decodeLabel(ONE.exec(path)?.[1] ?? '');
    const v = new Violations();
    v.text('inferenceProfileIdentifier', identifier, {
      required: true,
      min: 1,
      max: 2048,
      pattern: IDENTIFIER,
    });
    v.throwIfAny();
    const profile = store.lookup(identifier, region) ?? notFound(identifier);
    if (method === 'GET') return sendJson(res, 200, wire(profile), requestId);
    if (method === 'DELETE') {
      if (profile.type !== 'APPLICATION')
        throw new ControlError('ValidationException', 'System-defined inference profiles cannot be deleted.');
      store.delete(profile);
      return sendJson(res, 200, {}, requestId);
    }
    return sendUnknownOperation(res, method, path, requestId);
  } catch (error) {
    sendCaught(res, error, requestId);
  }
}

function created(
  store: ProfileStore,
  body: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  const v = new Violations();
  v.text('inferenceProfileName', body.inferenceProfileName, {
    required: true,
    min: 1,
    max: 64,
    pattern: NAME,
  });
  v.text('description', body.description, { min: 1, max: 200, pattern: DESCRIPTION });
  v.text('clientRequestToken', body.clientRequestToken, { min: 1, max: 256, pattern: TOKEN });
  const source = isObject(body.modelSource) ? body.modelSource.copyFrom : undefined;
  if (!isObject(body.modelSource)) v.add('modelSource', body.modelSource, 'Member must not be null');
  else v.text('modelSource.copyFrom', source, { required: true, min: 1, max: 2048, pattern: SOURCE });
  const tags = checkTags(v, body.tags, 'tags', false);
  v.throwIfAny();
  const token = body.clientRequestToken as string | undefined;
  const earlier = token === undefined ? undefined : store.byToken(token);
  if (earlier) return { inferenceProfileArn: earlier.arn, status: 'ACTIVE' };
  const name = body.inferenceProfileName as string;
  if (store.byName(name))
    throw new ControlError('ConflictException', `An inference profile with the name ${name} already exists.`);
  const from = source as string;
  const copied = from.includes(':inference-profile/') ? store.lookup(from, region) : undefined;
  const base = from.includes(':foundation-model/') ? from.slice(from.lastIndexOf('/') + 1) : undefined;
  if (!copied && !(base !== undefined && resolveModel(base)))
    throw new ControlError('ResourceNotFoundException', `The model source ${from} was not found.`);
  const profile = store.create(
    {
      name,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      source: copied ?? { base: base as string, arn: from },
    },
    region,
    token,
  );
  store.tag(profile.arn, tags);
  return { inferenceProfileArn: profile.arn, status: 'ACTIVE' };
}

function list(store: ProfileStore, query: URLSearchParams, region: string): Record<string, unknown> {
  const v = new Violations();
  const max = query.get('maxResults');
  const maxResults = max === null ? 100 : Number(max);
  v.integer('maxResults', maxResults, 1, 1000);
  const type = query.get('type') ?? undefined;
  v.oneOf('typeEquals', type, ['SYSTEM_DEFINED', 'APPLICATION']);
  v.throwIfAny();
  // Bedrock lists the system-defined profiles when no type is asked for.
  const rows = store.all(region, type ?? 'SYSTEM_DEFINED');
  const start = Number(query.get('nextToken') ?? '0');
  if (!Number.isInteger(start) || start < 0 || start > rows.length)
    throw new ControlError('ValidationException', 'The nextToken is not valid.');
  const page = rows.slice(start, start + maxResults);
  const next = start + page.length;
  return {
    inferenceProfileSummaries: page.map(wire),
    ...(next < rows.length ? { nextToken: String(next) } : {}),
  };
}

/** TagResource / UntagResource / ListTagsForResource, for application profiles. */
function tagging(store: ProfileStore, path: string, body: Record<string, unknown>): Record<string, unknown> {
  const v = new Violations();
  v.text('resourceARN', body.resourceARN, { required: true, min: 20, max: 1011 });
  const tags = path === '/tagResource' ? checkTags(v, body.tags, 'tags', true) : [];
  const keys = path === '/untagResource' ? body.tagKeys : undefined;
  if (path === '/untagResource' && !Array.isArray(keys)) v.add('tagKeys', keys, 'Member must not be null');
  v.throwIfAny();
  const arn = body.resourceARN as string;
  // Application profiles, and jobs created with tags; Bedrock's other resources are not emulated.
  if (!store.taggable(arn)) notFound(arn);
  if (path === '/tagResource') store.tag(arn, tags);
  if (path === '/untagResource') store.untag(arn, keys as string[]);
  return path === '/listTagsForResource' ? { tags: store.tagsOf(arn) } : {};
}

function checkTags(
  v: Violations,
  value: unknown,
  at: string,
  required: boolean,
): Array<{ key: string; value: string }> {
  if (value === undefined || value === null) {
    if (required) v.add(at, null, 'Member must not be null');
    return [];
  }
  if (!Array.isArray(value)) {
    v.add(at, value, 'Member must be a list');
    return [];
  }
  if (value.length > 200) v.add(at, value, 'Member must have length less than or equal to 200');
  value.forEach((tag: unknown, i) => {
    const t = isObject(tag) ? tag : {};
    v.text(`${at}.${i + 1}.member.key`, t.key, { required: true, min: 1, max: 128, pattern: TAG });
    v.text(`${at}.${i + 1}.member.value`, t.value, { required: true, min: 0, max: 256, pattern: TAG });
  });
  return value.filter(isObject) as Array<{ key: string; value: string }>;
}

/** GetInferenceProfile's answer and a ListInferenceProfiles summary: the same members. */
function wire(p: Profile): Record<string, unknown> {
  return {
    inferenceProfileName: p.name,
    ...(p.description === undefined ? {} : { description: p.description }),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    inferenceProfileArn: p.arn,
    models: p.models,
    inferenceProfileId: p.id,
    status: 'ACTIVE',
    type: p.type,
  };
}

/** The operation a request is, by path and method (for the emulator's stats). */
function operationOf(path: string, method: string): string {
  if (path === '/inference-profiles')
    return method === 'POST' ? 'CreateInferenceProfile' : 'ListInferenceProfiles';
  if (path === '/tagResource') return 'TagResource';
  if (path === '/untagResource') return 'UntagResource';
  if (path === '/listTagsForResource') return 'ListTagsForResource';
  return method === 'DELETE' ? 'DeleteInferenceProfile' : 'GetInferenceProfile';
}

function notFound(identifier: string): never {
  throw new ControlError('ResourceNotFoundException', `Inference profile ${identifier} not found.`);
}
