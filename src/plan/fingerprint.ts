/**
 * A row's fingerprint, version 2: a hash of what its request asks the model, and of nothing else.
 * Every results record keeps it (`request_hash`), so a resumed run can tell a row whose request
 * changed from one whose answer still stands, and the answer ledger's key is built on it
 * (src/ledger/key.ts, which adds the endpoint and the API).
 *
 * In it: the model as resolved, the system prompt and messages after templating, the inference
 * settings (max_tokens as sent, temperature, top_p, top_k, stop sequences), a batch record's
 * native body, `--json-schema` by its content and how it is asked for (native or a forced tool),
 * and `--attach` files by the SHA-256 of their bytes (an `s3://` attachment by its URI and ETag).
 * Left out, since they change what a call costs or how it travels but not what it answers: the
 * row's place and id, the service tier, cache points, the schema's file path, --json-retries, the
 * model's output limit, the attachment's path and size.
 *
 * Version 2 hashes are 32 hex characters; version 1's (fingerprint-v1.ts) were 24, so a reader
 * knows which function to compare a stored hash with (`matchesFingerprint`).
 */
import { createHash, hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { RunBatchError } from '../errors.js';
import type { Attachment, PromptRequest } from '../types.js';
import { stableJson } from './fingerprint-v1.js';

export const FINGERPRINT_VERSION = 2;
/** Hex characters of a version 2 fingerprint (16 bytes). */
export const FINGERPRINT_HEX = 32;

/** Where the row is, how it is named, what it costs, and what is loaded at call time. */
const NOT_ASKED = new Set([
  'index',
  'line',
  'id',
  'row',
  'serviceTier',
  'cacheSystem',
  'answer',
  'attachments',
  'attachmentBlocks',
]);

export function fingerprint(request: PromptRequest): string {
  const asked: Record<string, unknown> = {};
  for (const key of Object.keys(request).sort()) {
    if (!NOT_ASKED.has(key)) asked[key] = (request as unknown as Record<string, unknown>)[key];
  }
  if (request.answer) asked.answer = { wire: request.answer.wire, schema: request.answer.schemaText };
  if (request.attachments) asked.attachments = request.attachments.map(attachmentPrint);
  // Hex, not base64url: a cell starting with '-' would be neutralized as a formula in CSV output.
  return hash('sha256', `v2${stableJson(asked)}`, 'hex').slice(0, FINGERPRINT_HEX);
}

/**
 * Whether a stored `request_hash` is the fingerprint of this request: a version 1 hash (24 hex,
 * files written before version 2) is compared with version 1 of the function.
 */
export function matchesFingerprint(stored: string, current: string, v1: () => string): boolean {
  if (stored.length === FINGERPRINT_HEX) return stored === current;
  return stored === v1();
}

function attachmentPrint(a: Attachment): Record<string, unknown> {
  const what = { column: a.column, kind: a.kind, format: a.format, name: a.name };
  // S3: the URI and the object's ETag (looked at before anything is sent; none with --emulate,
  // whose model never reads the object).
  if (a.path !== undefined) return { ...what, sha256: contentHash(a.path) };
  return a.etag === undefined ? { ...what, s3: a.s3Uri } : { ...what, s3: a.s3Uri, etag: a.etag };
}

/** File content hashes, by path, size, mtime and inode: each file is read once per run. */
const hashes = new Map<string, string>();
const MAX_CACHED = 50_000;

function contentHash(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new RunBatchError('INPUT', `${path}: cannot read the attachment: ${(error as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    const id = `${path}\u0000${st.size}\u0000${st.mtimeMs}\u0000${st.ino}`;
    const known = hashes.get(id);
    if (known) return known;
    const digest = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) digest.update(chunk.subarray(0, n));
    const value = digest.digest('hex');
    if (hashes.size >= MAX_CACHED) hashes.clear();
    hashes.set(id, value);
    return value;
  } finally {
    closeSync(fd);
  }
}
