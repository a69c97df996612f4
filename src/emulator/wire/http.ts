/**
 * Response helpers shared by HTTP/1.1 and HTTP/2 (both use Node's compatibility API).
 * Every response carries `x-amzn-requestid`; errors use Bedrock's restJson1 form: the type in
 * `x-amzn-ErrorType`, the body `{"message": ...}`. No connection-specific header is ever set by
 * hand, as HTTP/2 forbids them; over HTTP/1.1 Node adds keep-alive and chunking itself.
 */
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

export function sendJson(
  res: Response,
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  (res as ServerResponse).writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(payload.length),
    'x-amzn-requestid': requestId,
    ...headers,
  });
  res.end(payload);
}

export function sendError(res: Response, error: EmulatedError, requestId: string): void {
  sendJson(res, error.status, { message: error.message }, requestId, {
    'x-amzn-errortype': `${error.exception}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  });
}

/** Starts a 200 event-stream response; with no content-length, HTTP/1.1 sends it chunked. */
export function openEventStream(
  res: Response,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  (res as ServerResponse).writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': requestId,
    ...headers,
  });
  // Send the headers now: clients wait for them before reading the first event.
  (res as ServerResponse).flushHeaders?.();
}

/**
 * Drops the connection with no response: the TCP socket over HTTP/1.1, the whole session (and
 * so its socket) over HTTP/2, where the JS SDK opens one session per request anyway.
 */
export function dropConnection(res: Response): void {
  if ('stream' in res) {
    const session = res.stream.session;
    if (session) session.destroy();
    else res.stream.destroy();
  } else {
    res.socket?.destroy();
  }
}

/** The first value of a request header, lower-cased name. */
export function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
