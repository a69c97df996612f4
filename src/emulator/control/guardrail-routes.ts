/**
 * The control plane's guardrail operations on their REST paths (botocore `bedrock` 2023-04-20):
 * POST /guardrails (CreateGuardrail, 202), GET /guardrails (ListGuardrails), and on
 * /guardrails/{guardrailIdentifier}: GET (GetGuardrail), PUT (UpdateGuardrail, 202), POST
 * (CreateGuardrailVersion, 202), DELETE (DeleteGuardrail, 202). The identifier may be an ARN,
 * URL-encoded in the path, so the path is split before it is decoded.
 */
import { randomUUID } from 'node:crypto';
import type { Guardrail, GuardrailStore, GuardrailVersion } from '../guardrails/store.js';
import { type Request, type Response, readBody, sendJson } from '../wire/http.js';
import {
  ControlError,
  decodeLabel,
  jsonBody,
  sendCaught,
  sendUnknownOperation,
  Violations,
} from './errors.js';
import { checkGuardrailBody, TOKEN } from './guardrail-config.js';
import { regionOf } from './routes.js';

const ONE = /^\/guardrails\/([^/]+)$/;
const IDENTIFIER = '(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))';
const VERSION = '(([1-9][0-9]{0,7})|(DRAFT))';
const NUMBERED = '[1-9][0-9]{0,7}';

export function isGuardrailPath(path: string): boolean {
  return path === '/guardrails' || ONE.test(path);
}

export async function handleGuardrails(
  req: Request,
  res: Response,
  path: string,
  query: URLSearchParams,
  store: GuardrailStore,
  denied: readonly string[],
): Promise<void> {
  const requestId = randomUUID();
  try {
    const body = jsonBody(await readBody(req));
    const method = req.method ?? 'GET';
    const action = actionOf(path, method);
    if (denied.includes(action))
      throw new ControlError(
        'AccessDeniedException',
        `User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:${action} because no identity-based policy allows the bedrock:${action} action`,
      );
    if (path === '/guardrails' && method === 'POST')
      return created(res, store, body, regionOf(req), requestId);
    if (path === '/guardrails' && method === 'GET') return sendJson(res, 200, list(store, query), requestId);
    const identifier = decodeLabel(ONE.exec(path)?.[1] ?? '');
    const v = new Violations();
    v.text('guardrailIdentifier', identifier, { required: true, max: 2048, pattern: IDENTIFIER });
    const version = query.get('guardrailVersion') ?? undefined;
    v.text('guardrailVersion', version, { pattern: method === 'DELETE' ? NUMBERED : VERSION });
    v.throwIfAny();
    const guardrail = store.lookup(identifier) ?? notFound(identifier);
    if (method === 'GET') {
      const found = store.version(guardrail, version) ?? notFound(identifier, version);
      return sendJson(res, 200, wire(guardrail, found), requestId);
    }
    if (method === 'PUT') {
      const definition = checkGuardrailBody(body);
      const other = store.byName(definition.name);
      if (other && other !== guardrail) taken(definition.name);
      store.update(guardrail, definition);
      const { id: guardrailId, arn: guardrailArn } = guardrail;
      const { updatedAt } = guardrail.draft;
      return sendJson(res, 202, { guardrailId, guardrailArn, version: 'DRAFT', updatedAt }, requestId);
    }
    if (method === 'POST') {
      const c = new Violations();
      c.text('description', body.description, { min: 1, max: 200 });
      c.text('clientRequestToken', body.clientRequestToken, { min: 1, max: 256, pattern: TOKEN });
      c.throwIfAny();
      const made = store.snapshot(
        guardrail,
        body.description as string | undefined,
        body.clientRequestToken as string | undefined,
      );
      return sendJson(res, 202, { guardrailId: guardrail.id, version: made }, requestId);
    }
    if (method === 'DELETE') {
      if (!store.delete(guardrail, version)) notFound(identifier, version);
      return sendJson(res, 202, {}, requestId);
    }
    return sendUnknownOperation(res, method, path, requestId);
  } catch (error) {
    sendCaught(res, error, requestId);
  }
}

function created(
  res: Response,
  store: GuardrailStore,
  body: Record<string, unknown>,
  region: string,
  requestId: string,
): void {
  const definition = checkGuardrailBody(body);
  const token = body.clientRequestToken as string | undefined;
  // An idempotent repeat answers the guardrail the first call made.
  const earlier = token === undefined ? undefined : store.byToken(token);
  if (!earlier && store.byName(definition.name)) taken(definition.name);
  const guardrail = earlier ?? store.create(definition, region, token);
  const { id: guardrailId, arn: guardrailArn } = guardrail;
  sendJson(
    res,
    202,
    { guardrailId, guardrailArn, version: 'DRAFT', createdAt: guardrail.draft.createdAt },
    requestId,
  );
}

/** GetGuardrail's response: the version's definition as stored, with the ids and times. */
function wire(guardrail: Guardrail, version: GuardrailVersion): Record<string, unknown> {
  return {
    ...version,
    guardrailId: guardrail.id,
    guardrailArn: guardrail.arn,
    statusReasons: [],
    failureRecommendations: [],
  };
}

/** ListGuardrails: every guardrail's DRAFT, or with guardrailIdentifier that guardrail's versions. */
function list(store: GuardrailStore, query: URLSearchParams): Record<string, unknown> {
  const v = new Violations();
  const identifier = query.get('guardrailIdentifier') ?? undefined;
  v.text('guardrailIdentifier', identifier, { max: 2048, pattern: IDENTIFIER });
  const max = query.get('maxResults');
  const maxResults = max === null ? 100 : Number(max);
  v.integer('maxResults', maxResults, 1, 1000);
  v.throwIfAny();
  let rows: Array<[Guardrail, GuardrailVersion]>;
  if (identifier !== undefined) {
    const guardrail = store.lookup(identifier) ?? notFound(identifier);
    rows = [guardrail.draft, ...guardrail.versions.values()].map((version) => [guardrail, version]);
  } else {
    rows = store.all().map((guardrail) => [guardrail, guardrail.draft]);
  }
  const start = Number(query.get('nextToken') ?? '0');
  if (!Number.isInteger(start) || start < 0 || start > rows.length)
    throw new ControlError('ValidationException', 'The nextToken is not valid.');
  const page = rows.slice(start, start + maxResults);
  const guardrails = page.map(([g, version]) => ({
    id: g.id,
    arn: g.arn,
    status: version.status,
    name: version.name,
    ...(version.description === undefined ? {} : { description: version.description }),
    version: version.version,
    createdAt: version.createdAt,
    updatedAt: version.updatedAt,
  }));
  const next = start + page.length;
  return { guardrails, ...(next < rows.length ? { nextToken: String(next) } : {}) };
}

/** The IAM action of a request on the guardrail paths. */
function actionOf(path: string, method: string): string {
  if (path === '/guardrails') return method === 'POST' ? 'CreateGuardrail' : 'ListGuardrails';
  const actions: Record<string, string> = {
    GET: 'GetGuardrail',
    PUT: 'UpdateGuardrail',
    POST: 'CreateGuardrailVersion',
    DELETE: 'DeleteGuardrail',
  };
  return actions[method] ?? method;
}

function notFound(identifier: string, version?: string): never {
  throw new ControlError(
    'ResourceNotFoundException',
    `Guardrail ${identifier}${version === undefined ? '' : ` version ${version}`} was not found.`,
  );
}

function taken(name: string): never {
  throw new ControlError('ConflictException', `A guardrail with the name ${name} already exists.`);
}
