/**
 * The Bedrock Runtime emulator's server: options, the port (HTTP/1.1 and h2c on one socket, see
 * wire/transport.ts), routing on the raw path (the model id label is URL-encoded, so it is decoded only
 * after splitting), the /__emulator endpoints, and the shared state every request meets.
 */

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer as createHttp1Server } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { PromptCache } from './behaviour/cache.js';
import { Arrivals } from './behaviour/directives.js';
import { Faults } from './behaviour/faults.js';
import { Quotas } from './behaviour/quotas.js';
import { ProfileStore } from './catalogue/profiles.js';
import { type BatchOptions, type BatchPlane, type BatchStats, createBatchPlane } from './control/plane.js';
import { APPLY_ROUTE, handleApplyGuardrail } from './guardrails/apply.js';
import { type GuardrailOptions, GuardrailStore } from './guardrails/store.js';
import { handleModelRequest, type Served } from './runtime/handle.js';
import type { Operation } from './runtime/operations.js';
import { Stats, type StatsSnapshot } from './runtime/stats.js';
import { EmulatedError } from './wire/exceptions.js';
import { type Request, type Response, readBody, sendError, sendJson } from './wire/http.js';
import { sniff } from './wire/transport.js';

/** The runtime's options, and the batch control plane's and S3's (control/plane.ts). */
export interface EmulatorOptions extends BatchOptions, GuardrailOptions {
  /** @default 4010; 0 picks a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Requests per minute per model (profiles and ARNs count against their base model); 0 = unlimited. @default 0 */
  rpm?: number;
  /** Tokens per minute per model, input + max_tokens reserved on arrival; 0 = unlimited. @default 0 */
  tpm?: number;
  /** Seconds of quota the buckets hold when full, i.e. the burst after idling. @default 10 */
  burstSeconds?: number;
  /** Latency before a response (before a stream's first event). @default 0 */
  latencyMs?: number;
  /** Extra latency per output token; streams wait this long before each delta. @default 0 */
  msPerToken?: number;
  /** Probability (0..1) that a model request meets a random fault. @default 0 */
  failRate?: number;
  /** Seed of the fault sequence. @default 1 */
  seed?: number;
  /** Milliseconds clock of the prompt cache's TTLs; tests move it with advanceClock. @default performance.now */
  now?: () => number;
}

export interface Emulator {
  readonly url: string;
  readonly port: number;
  /** The runtime's counters, and the batch control plane's under `batch`. */
  /** `profiles`: control-plane requests on the inference-profile and tag paths, by operation. */
  stats(): StatsSnapshot & { batch: BatchStats; profiles: Record<string, number> };
  /** Clears the counters only. */
  resetStats(): void;
  /** Moves the emulator's clock (prompt-cache TTLs) forward, as `POST /__emulator/clock` does. */
  advanceClock(ms: number): void;
  /** Clears everything a test could leave behind: counters, directive counts, quota buckets, fault sequence, guardrails. */
  reset(): void;
  close(): Promise<void>;
}

const ROUTE =
  /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream|count-tokens)$/;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const closing = new AbortController();
  // Every request in flight listens for the emulator closing: as many listeners as requests.
  setMaxListeners(0, closing.signal);
  const clock = { offset: 0 };
  const baseNow = options.now ?? (() => performance.now());
  const served: Served = {
    latencyMs: options.latencyMs ?? 0,
    msPerToken: options.msPerToken ?? 0,
    stats: new Stats(),
    quotas: new Quotas({
      ...(options.rpm === undefined ? {} : { rpm: options.rpm }),
      ...(options.tpm === undefined ? {} : { tpm: options.tpm }),
      ...(options.burstSeconds === undefined ? {} : { burstSeconds: options.burstSeconds }),
    }),
    arrivals: new Arrivals(),
    faults: new Faults(options.failRate ?? 0, options.seed ?? 1),
    cache: new PromptCache(() => baseNow() + clock.offset),
    closing: closing.signal,
    guardrails: new GuardrailStore(),
    profiles: new ProfileStore(),
    requireGuardrail: options.requireGuardrail ?? false,
  };
  const batch = createBatchPlane(options, {
    arrivals: served.arrivals,
    seed: options.seed ?? 1,
    guardrails: served.guardrails,
    deniedGuardrailActions: options.deniedGuardrailActions ?? [],
    profiles: served.profiles,
  });
  const advance = (ms: number) => {
    clock.offset += ms;
  };
  const reset = () => {
    batch.reset();
    served.stats.reset();
    served.arrivals.reset();
    served.quotas.reset();
    served.faults.reset();
    served.cache.reset();
    served.guardrails.clear();
    served.profiles.clear();
  };
  const handler = (req: Request, res: Response) => {
    route(req, res, served, reset, advance, batch).catch(() => {
      if (!res.headersSent) sendError(res, new EmulatedError('InternalServerException'), randomUUID());
      else res.destroy();
    });
  };
  const h1 = createHttp1Server(handler);
  h1.keepAliveTimeout = 60_000;
  const h2 = createHttp2Server(handler);
  const sockets = new Set<Socket>();
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
    stats: () => ({
      ...served.stats.snapshot(),
      batch: batch.stats(),
      profiles: { ...served.profiles.calls },
    }),
    resetStats: () => {
      served.stats.reset();
      served.profiles.calls = {};
      batch.resetStats();
    },
    advanceClock: advance,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        batch.close();
        for (const socket of sockets) socket.destroy();
        tcp.close(() => resolve());
      }),
  };
}

async function route(
  req: Request,
  res: Response,
  served: Served,
  reset: () => void,
  advance: (ms: number) => void,
  batch: BatchPlane,
): Promise<void> {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const search = mark < 0 ? '' : url.slice(mark + 1);
  if (path === '/__emulator/stats' && req.method === 'GET')
    return sendJson(
      res,
      200,
      { ...served.stats.snapshot(), batch: batch.stats(), profiles: { ...served.profiles.calls } },
      randomUUID(),
    );
  if (path === '/__emulator/reset' && req.method === 'POST') {
    await readBody(req).catch(() => undefined);
    reset();
    return sendJson(res, 200, { reset: true }, randomUUID());
  }
  if (path === '/__emulator/clock' && req.method === 'POST') {
    // {"advanceMs": n}: moves the clock prompt-cache TTLs run on, so a test can expire an entry.
    const raw = await readBody(req).catch(() => Buffer.alloc(0));
    let ms: unknown;
    try {
      ms = (JSON.parse(raw.toString('utf8') || '{}') as { advanceMs?: unknown }).advanceMs;
    } catch {
      ms = undefined;
    }
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      return sendJson(
        res,
        400,
        { message: 'Expected {"advanceMs": <milliseconds, 0 or more>}' },
        randomUUID(),
      );
    advance(ms);
    return sendJson(res, 200, { advancedMs: ms }, randomUUID());
  }
  // Batch Inference: the control plane's paths and S3 requests, before the runtime's routes.
  if (await batch.route(req, res, path, new URLSearchParams(search))) return;
  const apply = APPLY_ROUTE.exec(path);
  if (apply && req.method === 'POST')
    return handleApplyGuardrail(req, res, apply, served.guardrails, (e) => served.stats.guardrail(e));
  const match = ROUTE.exec(path);
  if (!match || req.method !== 'POST') {
    await readBody(req).catch(() => undefined);
    return sendJson(res, 404, { message: `No operation at ${req.method} ${path}` }, randomUUID(), {
      'x-amzn-errortype': 'UnknownOperationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    });
  }
  return handleModelRequest(req, res, match[2] as Operation, safeDecode(match[1] ?? ''), served);
}

function safeDecode(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}
