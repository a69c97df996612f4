/**
 * Which requests the emulator's S3 implements, by method and query: everything else (a
 * sub-resource such as `?tagging`, `?acl` or `?versioning`, ListObjects v1, ListParts, CopyObject,
 * a GET of one part) is answered with one NotImplemented (501) in S3's XML error shape, never with
 * an answer to another operation (a GetObject for `?tagging`) or a misleading NoSuchKey.
 */
import { header, type Request } from '../wire/http.js';
import { S3Error } from './xml.js';

const LIST_V2 = ['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after'];

/** The query keys each implemented operation takes, by target and method. */
const BUCKET: Record<string, string[][]> = {
  GET: [[...LIST_V2, 'encoding-type', 'fetch-owner'], ['location']],
  PUT: [[]],
  HEAD: [[]],
  DELETE: [[]],
  POST: [['delete']],
};
const OBJECT: Record<string, string[][]> = {
  GET: [[]],
  HEAD: [[]],
  PUT: [[], ['partNumber', 'uploadId']],
  POST: [['uploads'], ['uploadId']],
  DELETE: [[], ['uploadId']],
};

/** Added by the SDKs (`x-id=PutObject`) or by presigning (`X-Amz-Signature`): not operations. */
const ignored = (key: string) => key === 'x-id' || key.startsWith('X-Amz-');

export function checkImplemented(
  req: Request,
  method: string,
  onBucket: boolean,
  query: URLSearchParams,
): void {
  const forms = (onBucket ? BUCKET : OBJECT)[method];
  if (!forms) return; // another method: MethodNotAllowed, as S3 answers it
  const keys = [...new Set(query.keys())].filter((key) => !ignored(key));
  const fits = forms.some((allowed) => keys.every((key) => allowed.includes(key)));
  // A bucket GET without list-type=2 is ListObjects (v1); a PUT with a copy source is CopyObject.
  const listV1 = onBucket && method === 'GET' && !keys.includes('location') && query.get('list-type') !== '2';
  const copy = !onBucket && header(req, 'x-amz-copy-source') !== undefined;
  if (!fits || listV1 || copy) throw new S3Error('NotImplemented');
}
