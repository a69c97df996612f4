/**
 * Names and tokens that make a submission repeatable and findable.
 *
 * A job is identified by its content: the model, the invocation type and each record's id and
 * request key (the same key as the answer ledger's, `fingerprint(request)`). The job's name carries
 * that content hash, so ListModelInvocationJobs finds a job holding the same records from any
 * output or machine, and run-batch attaches to it instead of paying for the records again.
 *
 * The clientRequestToken is derived from the whole request (content, model, type, S3 locations,
 * role, timeout, name): Bedrock never sees one token with two different requests, which it answers
 * with ConflictException (a second output for unchanged rows once did exactly that).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { fingerprint } from '../../plan/fingerprint.js';
import type { PromptRequest } from '../../types.js';

/** The request key of one record: what the answer ledger keys answers by. */
export function recordKey(request: PromptRequest): string {
  return fingerprint(request);
}

/** The content hash of one job: its model, type, and each record's id and request key, in order. */
export function contentHash(
  model: string,
  type: string,
  records: ReadonlyArray<{ index: number; key: string }>,
): string {
  const hash = createHash('sha256').update(`${type}\u0000${model}`);
  for (const r of records) hash.update(`\u0001${r.index}\u0000${r.key}`);
  return hash.digest('hex');
}

/** The content hash's digits a job name carries (and ListModelInvocationJobs is searched for). */
export const NAME_DIGITS = 16;

export interface TokenParts {
  content: string;
  model: string;
  type: string;
  name: string;
  inputUri: string;
  outputUri: string;
  roleArn: string;
  timeoutHours?: number | undefined;
}

/** An idempotency token (alphanumeric, up to 256) over the whole CreateModelInvocationJob request. */
export function clientToken(parts: TokenParts): string {
  const { content, model, type, name, inputUri, outputUri, roleArn, timeoutHours } = parts;
  return createHash('sha256')
    .update(JSON.stringify([content, model, type, name, inputUri, outputUri, roleArn, timeoutHours ?? null]))
    .digest('hex');
}

// Bedrock job names: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\-.]){0,63}, at most 63 characters. They are
// also S3 key segments here (the job's folder), so only letters, digits and hyphens are used.
const MAX_NAME = 63;

/** `<output stem>-<16 hex of the content>-<attempt>`, e.g. `nightly-results-3fa9c01b2e7d4411-1`. */
export function jobName(output: string, content: string, attempt: number): string {
  const suffix = `-${content.slice(0, NAME_DIGITS)}-${attempt}`;
  const stem =
    basename(output)
      .replace(/(\.[a-z0-9]+)+$/i, '')
      .replace(/[^a-zA-Z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_NAME - suffix.length)
      .replace(/-+$/, '') || 'run-batch';
  return `${stem}${suffix}`;
}

/** The attempt number of a job name made by jobName for this content, undefined for any other name. */
export function attemptOf(name: string, content: string): number | undefined {
  const match = new RegExp(`-${content.slice(0, NAME_DIGITS)}-(\\d+)$`).exec(name);
  return match ? Number(match[1]) : undefined;
}

export function statePath(output: string): string {
  return `${output}.batch.json`;
}
