/**
 * Names and tokens that make a submission repeatable. Everything is derived from the records, so
 * the same input planned again (state file lost, kill before the state was saved) yields the same
 * job names and clientRequestTokens, and Bedrock answers a repeated Create with the job it already
 * has instead of starting a second one.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { JobChunk } from './chunk.js';
import type { BatchRecord } from './records.js';

/** What every record of the job would send: a changed row, model or setting changes it. */
export function inputHash(records: readonly BatchRecord[], problems: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const r of records) hash.update(`${r.index}\u0000${r.type}\u0000${r.model}\u0000${r.line}`);
  for (const p of problems) hash.update(`\u0001${p}`);
  return hash.digest('hex');
}

export function chunkHash(chunk: JobChunk): string {
  return inputHash(chunk.records, [chunk.files.join(',')]);
}

/** An idempotency token (botocore: alphanumeric, up to 256): the input, the chunk and its place. */
export function clientToken(input: string, chunk: string, seq: number): string {
  return createHash('sha256').update(`${input}:${chunk}:${seq}`).digest('hex');
}

// Bedrock job names: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\-.]){0,63}, at most 63 characters. They are
// also S3 key segments here (the job's folder), so only letters, digits and hyphens are used.
const MAX_NAME = 63;

/** `<output stem>-<10 hex of the token>-<seq>`, e.g. `nightly-results-3fa9c01b2e-1`. */
export function jobName(output: string, token: string, seq: number): string {
  const suffix = `-${token.slice(0, 10)}-${seq}`;
  const stem =
    basename(output)
      .replace(/(\.[a-z0-9]+)+$/i, '')
      .replace(/[^a-zA-Z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_NAME - suffix.length)
      .replace(/-+$/, '') || 'run-batch';
  return `${stem}${suffix}`;
}

export function statePath(output: string): string {
  return `${output}.batch.json`;
}
