/**
 * S3's wire details shared by its operations: XML documents (escaped text, the 2006-03-01
 * namespace), the error document S3 sends (`<Error><Code>NoSuchKey</Code>...`, no body for HEAD),
 * and the request id headers every response carries.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Response } from '../wire/http.js';

export const NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Status and message of each error the emulator's S3 sends, worded as S3 words them. */
export const S3_ERRORS = {
  NoSuchBucket: [404, 'The specified bucket does not exist'],
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchUpload: [
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  ],
  InvalidPart: [
    400,
    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  ],
  InvalidPartOrder: [
    400,
    'The list of parts was not in ascending order. Parts must be ordered by part number.',
  ],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed size'],
  BucketAlreadyOwnedByYou: [
    409,
    'Your previous request to create the named bucket succeeded and you already own it.',
  ],
  BucketNotEmpty: [409, 'The bucket you tried to delete is not empty'],
  InvalidBucketName: [400, 'The specified bucket is not valid.'],
  InvalidArgument: [400, 'Invalid Argument'],
  InvalidRequest: [400, 'Invalid Request'],
  BadDigest: [400, 'The Content-MD5 you specified did not match what we received.'],
  InvalidDigest: [400, 'The Content-MD5 you specified is not valid.'],
  InvalidRange: [416, 'The requested range is not satisfiable'],
  PreconditionFailed: [412, 'At least one of the pre-conditions you specified did not hold'],
  MalformedXML: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  ],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
} as const;

export type S3ErrorCode = keyof typeof S3_ERRORS;

export class S3Error extends Error {
  constructor(
    readonly code: S3ErrorCode,
    /** Extra elements S3 adds to the error document: Key, BucketName, UploadId, ArgumentName... */
    readonly details: Record<string, string> = {},
    message?: string,
  ) {
    super(message ?? S3_ERRORS[code][1]);
  }
}

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

export function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] ?? '';
  });
}

/** `<Name>text</Name>` for each defined value, in order. */
export function elements(
  values: ReadonlyArray<readonly [string, string | number | boolean | undefined]>,
): string {
  return values
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
}

export function document(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NAMESPACE}">${inner}</${root}>`;
}

/** The headers of every S3 response. */
export function amzHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': randomBytes(32).toString('base64') };
}

export function newRequestId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
}

export function send(
  res: Response,
  status: number,
  requestId: string,
  body: string | Buffer = '',
  headers: Record<string, string> = {},
): void {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  (res as ServerResponse).writeHead(status, {
    ...amzHeaders(requestId),
    ...(typeof body === 'string' && body.length > 0 ? { 'content-type': 'application/xml' } : {}),
    'content-length': String(payload.length),
    ...headers,
  });
  res.end(payload);
}

/** S3's error document; a HEAD response carries only the status, as S3's does. */
export function sendS3Error(res: Response, error: S3Error, requestId: string, head: boolean): void {
  const [status] = S3_ERRORS[error.code];
  if (head) {
    (res as ServerResponse).writeHead(status, amzHeaders(requestId));
    res.end();
    return;
  }
  const inner = elements([
    ['Code', error.code],
    ['Message', error.message],
    ...Object.entries(error.details),
    ['RequestId', requestId],
  ]);
  send(res, status, requestId, `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${inner}</Error>`);
}
