/**
 * Response helpers shared by HTTP/1.1 and HTTP/2 (both use Node's compatibility API).
 * Every response carries `x-amzn-requestid`; errors use Bedrock's restJson1 form: the type in
 * `x-amzn-ErrorType`, the body `{"message": ...}`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { EmulatedError } from './exceptions.js';

export type Request = IncomingMessage | Http2ServerRequest;
export type Response = ServerResponse | Http2ServerResponse;

/** Bodies over this size are refused, as Bedrock caps InvokeModel payloads at 25 MB. */
const MAX_BODY = 25_000_000;

export async function readBody(req: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new EmulatedError('ValidationException', 'Input is too long for requested model.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function requestId(): string {
  return randomUUID();
}

export function sendJson(
  res: Response,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  (res as ServerResponse).writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(payload.length),
    'x-amzn-requestid': requestId(),
    ...headers,
  });
  res.end(payload);
}

export function sendError(res: Response, error: EmulatedError): void {
  sendJson(
    res,
    error.status,
    { message: error.message },
    {
      'x-amzn-errortype': `${error.exception}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      ...error.headers,
    },
  );
}
