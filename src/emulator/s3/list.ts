/**
 * ListObjectsV2 over a bucket's sorted keys: prefix, delimiter (common prefixes count once toward
 * max-keys), start-after, continuation tokens (the last key or prefix returned, opaque to clients)
 * and `encoding-type=url`, which boto3 always asks for and then URL-decodes.
 */
import type { MemoryStore } from './store.js';
import { document, elements, S3Error } from './xml.js';

export function listObjectsV2(store: MemoryStore, bucket: string, query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const startAfter = query.get('start-after') ?? undefined;
  const token = query.get('continuation-token') ?? undefined;
  const encodingType = query.get('encoding-type') ?? undefined;
  if (encodingType !== undefined && encodingType !== 'url')
    throw new S3Error(
      'InvalidArgument',
      { ArgumentName: 'encoding-type', ArgumentValue: encodingType },
      'Invalid Encoding Method specified in Request',
    );
  const rawMax = query.get('max-keys');
  const maxKeys = rawMax === null ? 1000 : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw new S3Error(
      'InvalidArgument',
      { ArgumentName: 'max-keys', ArgumentValue: rawMax ?? '' },
      'Provided max-keys not an integer or within integer range',
    );
  const limit = Math.min(maxKeys, 1000);
  let marker = startAfter;
  if (token !== undefined) {
    marker = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || Buffer.from(marker).toString('base64url') !== token)
      throw new S3Error(
        'InvalidArgument',
        { ArgumentName: 'continuation-token' },
        'The continuation token provided is incorrect',
      );
  }
  const contents: string[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  for (const key of store.keys(bucket)) {
    if (!key.startsWith(prefix)) continue;
    if (
      marker !== undefined &&
      (atOrBefore(key, marker) || (delimiter && marker.endsWith(delimiter) && key.startsWith(marker)))
    )
      continue;
    const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
    const common = cut < 0 ? undefined : key.slice(0, cut + (delimiter?.length ?? 0));
    if (common !== undefined && prefixes.at(-1) === common) continue;
    if (contents.length + prefixes.length >= limit) {
      truncated = true;
      break;
    }
    if (common !== undefined) prefixes.push(common);
    else contents.push(key);
    last = common ?? key;
  }
  const encode = (text: string | undefined) =>
    text === undefined || encodingType !== 'url' ? text : encodeURIComponent(text).replace(/%2F/g, '/');
  const objects = contents.map((key) => {
    const object = store.object(bucket, key);
    return `<Contents>${elements([
      ['Key', encode(key)],
      ['LastModified', object?.lastModified.toISOString()],
      ['ETag', object?.etag],
      ['Size', object?.body.length],
      ['StorageClass', 'STANDARD'],
    ])}</Contents>`;
  });
  const common = prefixes.map((p) => `<CommonPrefixes>${elements([['Prefix', encode(p)]])}</CommonPrefixes>`);
  return document(
    'ListBucketResult',
    elements([
      ['Name', bucket],
      ['Prefix', encode(prefix)],
      ['Delimiter', encode(delimiter)],
      ['MaxKeys', maxKeys],
      ['EncodingType', encodingType],
      ['KeyCount', contents.length + prefixes.length],
      ['ContinuationToken', token],
      ['StartAfter', encode(startAfter)],
      ['IsTruncated', truncated],
      [
        'NextContinuationToken',
        truncated && last !== undefined ? Buffer.from(last).toString('base64url') : undefined,
      ],
    ]) +
      objects.join('') +
      common.join(''),
  );
}

/** True when `key` sorts at or before `marker` in S3's (UTF-8 byte) order. */
function atOrBefore(key: string, marker: string): boolean {
  return Buffer.compare(Buffer.from(key), Buffer.from(marker)) <= 0;
}
