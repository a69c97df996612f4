/**
 * Request bodies as S3 clients send them: plain, or `aws-chunked` (the SDKs' streaming uploads
 * with a trailing checksum: `<hex size>[;chunk-signature=..]\r\n<bytes>\r\n ... 0\r\n<trailers>`),
 * which must be unwrapped before the bytes are stored. The trailers (`x-amz-checksum-crc32:...`) are
 * returned beside the bytes, for checksums.ts to verify. Signatures are not checked, as the emulator
 * checks no credentials.
 */
import { header, type Request } from '../wire/http.js';
import { S3Error } from './xml.js';

/** S3 takes objects up to 5 GB in one PUT; an in-memory emulator stops well before that. */
const MAX_BODY = 1024 * 1024 * 1024;

export interface S3Body {
  body: Buffer;
  /** Trailing headers of an aws-chunked body, names in lower case. */
  trailers: Record<string, string>;
}

export async function readS3Body(req: Request): Promise<S3Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new S3Error('EntityTooLarge');
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const encoding = header(req, 'content-encoding') ?? '';
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  return encoding.includes('aws-chunked') || sha.startsWith('STREAMING-')
    ? decodeAwsChunked(raw)
    : { body: raw, trailers: {} };
}

export function decodeAwsChunked(raw: Buffer): S3Body {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0)
      throw new S3Error('InvalidArgument', {}, 'Malformed aws-chunked body: a chunk header is cut short.');
    const size = Number.parseInt(
      (raw.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '').trim(),
      16,
    );
    if (!Number.isInteger(size) || size < 0)
      throw new S3Error(
        'InvalidArgument',
        {},
        'Malformed aws-chunked body: a chunk size is not hexadecimal.',
      );
    at = lineEnd + 2;
    // The last chunk is empty; trailers (the checksum) follow it and are not part of the object.
    if (size === 0) return { body: Buffer.concat(parts), trailers: trailers(raw.subarray(at)) };
    if (at + size > raw.length)
      throw new S3Error('InvalidArgument', {}, 'Malformed aws-chunked body: a chunk is cut short.');
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
}

/** `name:value` lines up to the blank line that ends the body. */
function trailers(rest: Buffer): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of rest.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) found[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return found;
}
