/**
 * Request metadata, as Bedrock takes it (botocore `bedrock-runtime` 2023-09-30, `RequestMetadata`):
 * a map of 1 to 16 pairs, keys 1-256 and values 0-256 characters of letters, digits, whitespace
 * and `: _ @ $ # = / + , - .`. Converse sends it as `requestMetadata`; InvokeModel as the JSON
 * header `X-Amzn-Bedrock-Request-Metadata` (reference 2.4). Bedrock writes it to the model
 * invocation logs, so a call can be traced to its run and row there.
 *
 * `--tag` pairs are checked against these rules before anything is sent (job/tag-options.ts); `run_id` and `row_id`
 * are added to every call. A row id Bedrock would refuse is encoded (`b64:` + base64url of its
 * UTF-8, or `sha256:` + its hash when that is too long), never an error: ids are the user's data.
 */
import { createHash } from 'node:crypto';

/**
 * Java's `\s` is ASCII whitespace; `,-.` in the model's class is the range `,` `-` `.`. The same
 * rule job/tag-options.ts checks `--tag` with (the layers keep job from importing bedrock).
 */
const ALLOWED = /^[a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,\-.]*$/;
const MAX_VALUE = 256;

/** A row id as Bedrock takes it: itself when allowed, else encoded (see the header). */
export function metadataValue(id: string): string {
  const plain = id.length <= MAX_VALUE && ALLOWED.test(id) && !/^(b64|sha256):/.test(id);
  if (plain) return id;
  const encoded = `b64:${Buffer.from(id, 'utf8').toString('base64url')}`;
  if (encoded.length <= MAX_VALUE) return encoded;
  return `sha256:${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

/** What a run stamps on its calls: the --tag pairs, and the run's id unless turned off. */
export interface MetadataPlan {
  tags: Readonly<Record<string, string>>;
  /** The run's id; undefined with --no-request-metadata (then only the tags are sent). */
  runId?: string;
}

/** One call's request metadata, or undefined when there is nothing to send (Bedrock refuses an empty map). */
export function requestMetadataFor(
  plan: MetadataPlan | undefined,
  rowId: string,
): Record<string, string> | undefined {
  if (!plan) return undefined;
  const metadata: Record<string, string> = { ...plan.tags };
  if (plan.runId !== undefined) {
    metadata.run_id = metadataValue(plan.runId);
    metadata.row_id = metadataValue(rowId);
  }
  return Object.keys(metadata).length === 0 ? undefined : metadata;
}
