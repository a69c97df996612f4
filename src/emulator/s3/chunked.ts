/**
 * Request bodies as S3 clients send them: plain, or `aws-chunked` (the SDKs' streaming uploads
 * with a trailing checksum: `<hex size>[;chunk-signature=..]\r\n<bytes>\r\n ... 0\r\n<trailers>`),
 * which must be unwrapped before the bytes are stored. Signatures are not checked, as the emulator
 * checks no credentials.
 */
import { header, type Request } from '../wire/http.js';
import { S3Error } from './xml.js';

/** S3 takes objects up to 5 GB in one PUT; an in-memory emulator stops well before that. */
const MAX_BODY = 1024 * 1024 * 1024;

export async function readS3Body(req: Request): Promise<Buffer> {
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
  return encoding.includes('aws-chunked') || sha.startsWith('STREAMING-') ? decodeAwsChunked(raw) : raw;
}

export function decodeAwsChunked(raw: Buffer): Buffer {
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
    if (size === 0) return Buffer.concat(parts);
    if (at + size > raw.length)
      throw new S3Error('InvalidArgument', {}, 'Malformed aws-chunked body: a chunk is cut short.');
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
}
