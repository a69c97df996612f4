/**
 * The real clients, pointed at an emulator: the AWS SDK for JavaScript (its default HTTP/2 handler
 * or HTTP/1.1 through NodeHttpHandler), boto3 through a python3 script, and the AWS CLI. Each runs
 * in a clean environment (fake keys, HOME in a temp dir) so no real AWS setup can leak in.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Claude Haiku 4.5, current, through its global profile (the base id takes profiles only). */
export const HAIKU_BASE = 'anthropic.claude-haiku-4-5-20251001-v1:0';
export const HAIKU = `global.${HAIKU_BASE}`;

export type Transport = 'h2' | 'http1';

/** The SDK as an application would build it; `maxAttempts` 1 unless a test counts retries. */
export function sdkClient(url: string, transport: Transport, maxAttempts = 1): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts,
    ...(transport === 'http1' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}

/** The environment the python and CLI clients run in. */
export function awsEnv(url: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: mkdtempSync(join(tmpdir(), 'emulator-home-')),
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-east-1',
    // botocore reads only AWS_DEFAULT_REGION.
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
    // No retries unless a script asks: tests count attempts.
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a client process in `env`, from its HOME (where the AWS CLI writes its outfiles). */
export function run(
  file: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const options = { env, cwd: env.HOME, maxBuffer: 16 * 1024 * 1024 };
    const child = execFile(file, args, options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/** Runs a python3 script that prints one JSON document; returns it parsed. */
export async function python<T>(
  script: string,
  url: string,
  extraEnv: Record<string, string> = {},
): Promise<T> {
  const result = await run('python3', ['-'], { ...awsEnv(url), ...extraEnv }, script);
  if (result.code !== 0) throw new Error(`python3 exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  httpVersion: string;
  rawHeaders: string[];
}

/** A plain HTTP/1.1 POST, as curl would send it. */
export function post(
  url: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            httpVersion: res.httpVersion,
            rawHeaders: res.rawHeaders,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function modelPath(modelId: string, operation: string): string {
  return `/model/${encodeURIComponent(modelId)}/${operation}`;
}

/** A Converse body with one user turn. */
export function converseBody(
  text: string,
  inferenceConfig?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    messages: [{ role: 'user', content: [{ text }] }],
    ...(inferenceConfig ? { inferenceConfig } : {}),
  };
}

/** The emulator's counters, read the way any client can: GET /__emulator/stats. */
export async function fetchStats(
  url: string,
): Promise<import('../../src/emulator/runtime/stats.js').StatsSnapshot> {
  const response = await fetch(`${url}/__emulator/stats`);
  return (await response.json()) as import('../../src/emulator/runtime/stats.js').StatsSnapshot;
}

/** POST /__emulator/reset: counters, directive counts, quota buckets and fault sequence start over. */
export async function resetEmulator(url: string): Promise<void> {
  await fetch(`${url}/__emulator/reset`, { method: 'POST' });
}
