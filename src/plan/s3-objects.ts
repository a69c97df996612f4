/**
 * The `s3://` attachments of an input, looked at before the plan pass: every distinct URI the rows
 * name is asked for once (the caller's `lookup`: HeadObject, src/run/s3-etags.ts), so each row's
 * fingerprint can hold its object's ETag. An object replaced under the same key then asks anew
 * instead of getting the old object's answer from the ledger or the results file.
 */
import type { RequestBuilder } from '../input/request.js';
import type { RowSource } from '../input/source.js';

/** Each URI's ETag, or what is wrong with the object (no such key, access denied). */
export type EtagLookup = (uris: string[]) => Promise<Map<string, string | Error>>;

/** Reads the input once for its S3 URIs; returns the lookup the plan pass's builder uses. */
export async function s3Etags(
  source: RowSource,
  build: RequestBuilder,
  lookup: EtagLookup,
): Promise<(uri: string) => string | undefined> {
  const uris = new Set<string>();
  for await (const row of source.rows()) {
    try {
      for (const a of build(row, source.columns()).attachments ?? []) if (a.s3Uri) uris.add(a.s3Uri);
    } catch {
      // A row that does not build is reported by the plan pass, with every other bad row.
    }
  }
  const etags = uris.size === 0 ? new Map<string, string | Error>() : await lookup([...uris]);
  return (uri) => {
    const etag = etags.get(uri);
    if (etag instanceof Error) throw etag;
    return etag;
  };
}
