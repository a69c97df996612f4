/**
 * Builds the BedrockRuntimeClient every call goes through.
 * - SDK retries are off (maxAttempts 1): retries live in exactly one layer, the pool.
 * - HTTP/1.1 with a keep-alive agent sized to the concurrency, instead of the SDK's default
 *   HTTP/2 handler, which opens a new connection and h2 session per request
 *   (`disableConcurrentStreams`); keep-alive also works with any endpoint that speaks HTTP/1.1.
 * - A middleware keeps the raw response headers: InvokeModel's token counts
 *   (x-amzn-bedrock-input-token-count and friends) are headers the SDK does not model.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { RunBatchError } from '../errors.js';

export interface ClientOptions {
  region: string;
  profile?: string;
  endpoint?: string;
  /** Sockets to keep open; the pool never has more calls in flight. */
  maxSockets: number;
  /** Static credentials, e.g. for the emulator, which accepts any. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const HEADERS = Symbol('responseHeaders');

/** The raw response headers of a call's output (lower-case names). */
export function responseHeaders(output: object): Record<string, string | undefined> {
  return (output as { [HEADERS]?: Record<string, string> })[HEADERS] ?? {};
}

export function createClient(options: ClientOptions): BedrockRuntimeClient {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxFreeSockets: options.maxSockets,
  };
  const client = new BedrockRuntimeClient({
    region: options.region,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> }).headers;
      if (headers && result.output && typeof result.output === 'object') {
        Object.defineProperty(result.output, HEADERS, { value: headers, enumerable: false });
      }
      return result;
    },
    { step: 'initialize', name: 'runBatchResponseHeaders' },
  );
  return client;
}

/**
 * Resolves credentials once before any row is sent, so a machine without them fails in setup with
 * a clear message instead of failing every row. A Bedrock API key (bearer token) needs none.
 */
export async function checkCredentials(client: BedrockRuntimeClient, env: NodeJS.ProcessEnv): Promise<void> {
  if (env.AWS_BEARER_TOKEN_BEDROCK) return;
  try {
    await client.config.credentials();
  } catch (error) {
    throw new RunBatchError(
      'CREDENTIALS',
      `no AWS credentials found (${(error as Error).message.split('\n')[0]}); set AWS_PROFILE or --profile, ` +
        'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_BEARER_TOKEN_BEDROCK, or use --emulate',
      { cause: error },
    );
  }
}
