/**
 * GetObject and HeadObject's answer: the object's headers (its user metadata as `x-amz-meta-*`),
 * a byte range when asked (206), and the checksum sent with the upload when the request has
 * `x-amz-checksum-mode: ENABLED` (botocore GetObjectRequest/HeadObjectRequest.ChecksumMode) and
 * asks for the whole object: a range's checksum is not the object's.
 */
import type { StoredObject } from './store.js';
import { S3Error } from './xml.js';

export interface Reply {
  status: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export function reply(status: number, body?: string | Buffer, headers?: Record<string, string>): Reply {
  return { status, ...(body === undefined ? {} : { body }), ...(headers === undefined ? {} : { headers }) };
}

/** The checksum headers S3 sends with an object: the value and its type. */
export function checksumHeaders(checksums: Record<string, string> | undefined): Record<string, string> {
  if (!checksums || Object.keys(checksums).length === 0) return {};
  return { ...checksums, 'x-amz-checksum-type': 'FULL_OBJECT' };
}

export function objectReply(
  head: boolean,
  object: StoredObject,
  range: string | undefined,
  checksumMode: string | undefined,
): Reply {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    ...Object.fromEntries(
      Object.entries(object.metadata).map(([name, value]) => [`x-amz-meta-${name}`, value]),
    ),
  };
  const size = object.body.length;
  const span = range === undefined ? undefined : byteRange(range, size);
  const body = span ? object.body.subarray(span[0], span[1] + 1) : object.body;
  if (span) headers['content-range'] = `bytes ${span[0]}-${span[1]}/${size}`;
  else if (checksumMode === 'ENABLED') Object.assign(headers, checksumHeaders(object.checksums));
  return reply(span ? 206 : 200, head ? Buffer.alloc(0) : body, {
    ...headers,
    'content-length': String(body.length),
  });
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything else is ignored, as S3 ignores it. */
function byteRange(range: string, size: number): [number, number] | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [start, end] =
    match[1] === ''
      ? [Math.max(0, size - Number(match[2])), size - 1]
      : [Number(match[1]), match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)];
  if (start >= size || start > end)
    throw new S3Error('InvalidRange', { RangeRequested: range, ActualObjectSize: String(size) });
  return [start, end];
}
