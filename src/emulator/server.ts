/**
 * The Bedrock Runtime emulator's server: one loopback port speaking HTTP/1.1 (curl, boto3, the AWS
 * CLI) and HTTP/2 cleartext (the AWS SDK for JavaScript's default), told apart by the HTTP/2
 * connection preface. Routes on the raw path, as the model id label is URL-encoded.
 */
import { createServer as createHttp1Server } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { resolveModel } from './catalogue.js';
import { converseBody, parseConverse } from './converse.js';
import { EmulatedError, INVALID_MODEL } from './exceptions.js';
import { plan } from './generation.js';
import { type Request, type Response, readBody, sendError, sendJson } from './http.js';
import { Stats, type StatsSnapshot } from './stats.js';

export interface EmulatorOptions {
  /** @default 4010; 0 picks a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Base latency of every call. @default 0 */
  latencyMs?: number;
  /** Extra latency per output token. @default 0 */
  msPerToken?: number;
}

export interface Emulator {
  readonly url: string;
  readonly port: number;
  stats(): StatsSnapshot;
  resetStats(): void;
  close(): Promise<void>;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const ROUTE =
  /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream|count-tokens)$/;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const stats = new Stats();
  const sockets = new Set<Socket>();
  const handler = (req: Request, res: Response) => {
    handle(req, res, options, stats).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, asEmulated(error));
      else res.destroy();
    });
  };
  const h1 = createHttp1Server(handler);
  h1.keepAliveTimeout = 60_000;
  const h2 = createHttp2Server(handler);

  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    sniff(socket, (isH2, stream) => (isH2 ? h2 : h1).emit('connection', stream));
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port ?? 4010, host, () => resolve());
  });
  const port = (tcp.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        tcp.close(() => resolve());
      }),
  };
}

/**
 * Reads just enough of a new connection to tell HTTP/2 from HTTP/1.1, then hands it on with the
 * bytes read so far put back in front.
 */
function sniff(socket: Socket, route: (isH2: boolean, stream: Duplex) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, H2_PREFACE.length);
    const isH2 = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isH2 && n < H2_PREFACE.length) return; // could still be h2: wait for the whole preface
    socket.off('data', onData);
    socket.pause();
    if (isH2) {
      route(true, replaying(socket, seen));
    } else {
      // The HTTP/1.1 parser reads the socket's buffered data, so putting the bytes back is enough.
      socket.unshift(seen);
      route(false, socket);
      socket.resume();
    }
  };
  socket.on('data', onData);
}

/**
 * The HTTP/2 server reads a real socket straight from its handle, past anything unshift put back.
 * Giving it a plain Duplex instead makes it read through JavaScript, preface included.
 */
function replaying(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, _encoding, callback) => void socket.write(chunk, callback),
    final: (callback) => void socket.end(callback),
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  return stream;
}

async function handle(req: Request, res: Response, options: EmulatorOptions, stats: Stats): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/__emulator/stats' && req.method === 'GET') return sendJson(res, 200, stats.snapshot());
  if (path === '/__emulator/reset' && req.method === 'POST') {
    stats.reset();
    return sendJson(res, 200, { reset: true });
  }
  const match = ROUTE.exec(path);
  if (!match || req.method !== 'POST') {
    await readBody(req).catch(() => undefined);
    return sendJson(
      res,
      404,
      { message: `No operation at ${req.method} ${path}` },
      { 'x-amzn-errortype': 'UnknownOperationException' },
    );
  }
  const modelId = safeDecode(match[1] ?? '');
  const operation = match[2] ?? '';
  const end = stats.begin(modelId, operation);
  try {
    const body = await readBody(req);
    const model = resolveModel(modelId);
    if (!model) throw new EmulatedError('ValidationException', INVALID_MODEL);
    if (operation !== 'converse')
      throw new EmulatedError('ValidationException', `The emulator does not serve ${operation} yet.`);
    const generation = parseConverse(body, model);
    const planned = plan(generation);
    const latencyMs = (options.latencyMs ?? 0) + (options.msPerToken ?? 0) * planned.reply.outputTokens;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    sendJson(res, 200, converseBody(planned, latencyMs));
    end({ kind: 'ok', inputTokens: planned.inputTokens, outputTokens: planned.reply.outputTokens });
  } catch (error) {
    const emulated = asEmulated(error);
    end({ kind: 'error', exception: emulated.exception, throttle: emulated.status === 429, fault: false });
    throw emulated;
  }
}

function asEmulated(error: unknown): EmulatedError {
  return error instanceof EmulatedError ? error : new EmulatedError('InternalServerException');
}

function safeDecode(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}
