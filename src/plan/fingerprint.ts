/**
 * A row's fingerprint: a short hash of what its request asks the model (model, system prompt and
 * messages after templating, inference settings, a batch record's body, and any answer-shaping
 * setting added to the request later). Every results record keeps the fingerprint of the request
 * it answered, so a resumed run can tell a row whose prompt, model or settings changed from one
 * whose answer still stands. Settings that change what a call costs but not what it answers
 * (the service tier, cache points) are left out: changing them must not re-pay every row.
 */
import { createHash } from 'node:crypto';
import type { PromptRequest } from '../types.js';

/** Where the row is and how it is named: not what it asks. */
const NOT_ASKED = new Set(['index', 'line', 'id', 'row', 'serviceTier', 'cacheSystem']);

export function fingerprint(request: PromptRequest): string {
  const asked: Record<string, unknown> = {};
  for (const key of Object.keys(request).sort()) {
    if (!NOT_ASKED.has(key)) asked[key] = (request as unknown as Record<string, unknown>)[key];
  }
  // Hex, not base64url: a cell starting with '-' would be neutralized as a formula in CSV output.
  return createHash('sha256').update(stableJson(asked)).digest('hex').slice(0, 24);
}

/** JSON with object keys sorted, so the same request always hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
