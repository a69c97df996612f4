/**
 * Classifies whatever a call threw: the error code and message to record, and whether the pool
 * should retry it (the README's "Retries" section lists both sets). Pure, so it is tested table-style.
 */
import type { Usage } from '../types.js';

export interface CallFailure {
  /** Exception name (ThrottlingException), Node error code (ECONNRESET) or TimeoutError. */
  code: string;
  message: string;
  status?: number;
  retryable: boolean;
  /** A throttle: the adaptive limiter slows down on these. */
  throttle: boolean;
  /** Which quota a throttle says was spent, when its message says ("Too many tokens"). */
  quota?: 'tokens' | 'requests';
  /** From `retry-after` (seconds or an HTTP date) or `x-amz-retry-after` (ms). */
  retryAfterMs?: number;
  /** What the failed attempt was billed for: a bad answer was generated, and the quota counted it. */
  usage?: Usage;
  /** What the row was billed for over all its attempts, on a failure that ends it (bad answers). */
  paid?: Usage;
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'ModelNotReadyException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelTimeoutException',
  'ModelStreamErrorException',
]);

const THROTTLES = new Set(['ThrottlingException', 'ModelNotReadyException', 'TooManyRequestsException']);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  /** Set by the stream readers for exceptions that arrive after the stream opened. */
  $midStream?: boolean;
}

export function classifyError(error: unknown, now = Date.now()): CallFailure {
  const e = (error ?? {}) as SdkLikeError;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const networkCode = findNetworkCode(error);
  const name = e.name && e.name !== 'Error' ? e.name : undefined;
  // Our own timeout names itself; the socket error it caused underneath is only its consequence.
  const code =
    name === 'TimeoutError' || (name === 'AbortError' && e.message?.includes('timed out'))
      ? 'TimeoutError'
      : (networkCode ?? name ?? 'Error');
  const message = oneLine(e.message ?? String(error));
  const plain = plainFailure(e, networkCode, status);
  if (plain) {
    const retryablePlain = plain.code === 'EMFILE' ? false : status !== undefined && status >= 500;
    const failure: CallFailure = { ...plain, retryable: retryablePlain, throttle: false };
    if (status !== undefined) failure.status = status;
    return failure;
  }

  const throttle = THROTTLES.has(code) || status === 429;
  const retryable =
    throttle ||
    RETRYABLE.has(code) ||
    networkCode !== undefined ||
    code === 'TimeoutError' ||
    e.$midStream === true ||
    (status !== undefined && status >= 500);
  const failure: CallFailure = { code, message, retryable, throttle };
  if (throttle && /too many tokens/i.test(message)) failure.quota = 'tokens';
  else if (throttle && /too many requests/i.test(message)) failure.quota = 'requests';
  if (status !== undefined) failure.status = status;
  const retryAfterMs = retryAfter(e.$response?.headers, now);
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  return failure;
}

/**
 * Failures whose SDK wording helps nobody, reworded: an HTML page (a proxy, a wrong
 * --endpoint) makes the SDK say "Unexpected token '<' ... inspect the hidden field
 * {error}.$response"; running out of file descriptors says only "EMFILE". A user can act on ours.
 */
function plainFailure(
  e: SdkLikeError,
  networkCode: string | undefined,
  status: number | undefined,
): { code: string; message: string } | undefined {
  const descriptors = findCode(e, DESCRIPTOR_CODES);
  if (descriptors !== undefined && networkCode === undefined) {
    return {
      code: 'EMFILE',
      message: `too many open files (${descriptors}): lower -c/--concurrency, or raise the limit with ulimit -n`,
    };
  }
  const deserialization = e.name === 'SyntaxError' || /Deserialization error/.test(e.message ?? '');
  if (!deserialization) return undefined;
  const type = headerOf(e.$response?.headers, 'content-type') ?? 'no content type';
  const what = /html/i.test(type) ? 'an HTML page' : `a reply Bedrock does not send (${type})`;
  return {
    code: 'UnexpectedResponse',
    message:
      `the endpoint answered with ${what}${status === undefined ? '' : `, HTTP ${status}`}, not Bedrock: ` +
      'check --endpoint / AWS_ENDPOINT_URL_BEDROCK_RUNTIME, or a proxy in between',
  };
}

const DESCRIPTOR_CODES = new Set(['EMFILE', 'ENFILE']);

function headerOf(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function findCode(error: unknown, codes: ReadonlySet<string>): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current && typeof current === 'object'; depth++) {
    const code = (current as SdkLikeError).code;
    if (typeof code === 'string' && codes.has(code)) return code;
    current = (current as SdkLikeError).cause;
  }
  return undefined;
}

function findNetworkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current && typeof current === 'object'; depth++) {
    const code = (current as SdkLikeError).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as SdkLikeError).cause;
  }
  return undefined;
}

/** `x-amz-retry-after` is milliseconds; `retry-after` is seconds or an HTTP date. */
export function retryAfter(
  headers: Record<string, string | undefined> | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const amz = Number(lower['x-amz-retry-after']);
  if (lower['x-amz-retry-after'] !== undefined && Number.isFinite(amz) && amz >= 0) return amz;
  const value = lower['retry-after'];
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
