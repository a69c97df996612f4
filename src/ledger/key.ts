/**
 * The answer ledger's key, version 1, defined here and nowhere else: the request that shapes the
 * answer, within one endpoint's namespace.
 *
 *   key = "k1-" + sha256(JSON [1, namespace, api, fingerprint])  (40 hex characters after "k1-")
 *
 * - namespace: where the answer came from. `emulator` for the built-in emulator (--emulate);
 *   otherwise the region and the endpoint URL (`aws` for Bedrock's own), so an answer from an
 *   emulator or a test server never serves a run against AWS, and two servers on different ports
 *   never share answers.
 * - api: converse or invoke (the wire a call took can shape the answer).
 * - fingerprint: version 2 of the row fingerprint (src/plan/fingerprint.ts): the model as resolved,
 *   system, messages, inference settings with the max_tokens sent, the native body, the answer
 *   schema by content and attachments by content hash.
 * Not in it: --stream, retries, the service tier, requestMetadata, the working directory, the
 * input's file name, the row's id or position.
 *
 * A later change to what the key holds must change the "k1" prefix, so old entries are not
 * mistaken for new ones (they simply stop matching).
 */
import { hash } from 'node:crypto';

export const KEY_VERSION = 1;

export interface Namespace {
  emulate: boolean;
  region: string;
  endpoint?: string;
}

export function namespaceOf(spec: Namespace): string {
  if (spec.emulate) return 'emulator';
  return `${spec.region} ${spec.endpoint === undefined ? 'aws' : normalEndpoint(spec.endpoint)}`;
}

export function ledgerKey(namespace: string, api: string, fingerprint: string): string {
  return `k${KEY_VERSION}-${hash('sha256', JSON.stringify([KEY_VERSION, namespace, api, fingerprint]), 'hex').slice(0, 40)}`;
}

/** `http://127.0.0.1:8080/` and `http://127.0.0.1:8080` are one endpoint. */
function normalEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}
