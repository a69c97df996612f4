/**
 * Version 1 of the row fingerprint, frozen: results files written before version 2 (fingerprint.ts)
 * hold these 24-hex-character hashes in `request_hash`, and a resumed run compares them with this
 * function so their answers are not paid again on upgrade. Never change it; its defects (the
 * schema's path, --json-retries and the output limit hashed; attachments by path and size) are why
 * version 2 exists.
 *
 * A row's fingerprint: a short hash of what its request asks the model (model, system prompt and
 * messages after templating, inference settings, a batch record's body, and any answer-shaping
 * setting added to the request later). Every results record keeps the fingerprint of the request
 * it answered, so a resumed run can tell a row whose prompt, model or settings changed from one
 * whose answer still stands. Settings that change what a call costs but not what it answers
 * (the service tier, cache points) are left out: changing them must not re-pay every row.
 */
import { hash } from 'node:crypto';
import type { PromptRequest } from '../types.js';

/** Where the row is and how it is named: not what it asks. */
const NOT_ASKED = new Set(['index', 'line', 'id', 'row', 'serviceTier', 'cacheSystem']);

export function fingerprintV1(request: PromptRequest): string {
  const asked: Record<string, unknown> = {};
  for (const key of Object.keys(request).sort()) {
    if (!NOT_ASKED.has(key)) asked[key] = (request as unknown as Record<string, unknown>)[key];
  }
  // Hex, not base64url: a cell starting with '-' would be neutralized as a formula in CSV output.
  return hash('sha256', stableJson(asked), 'hex').slice(0, 24);
}

/** JSON with object keys sorted, so the same request always hashes the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + stableJson(value[i]);
    return `${text}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    let text = '{';
    for (const key of Object.keys(record).sort()) {
      if (record[key] === undefined) continue;
      text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${stableJson(record[key])}`;
    }
    return `${text}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
