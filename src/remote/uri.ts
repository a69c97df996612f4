/**
 * `s3://bucket/key` locations: one object, a prefix (`s3://b/p/`) or a glob (`s3://b/p/*.csv`), and
 * the hidden prefix beside an S3 output where its checkpoints and lock live.
 */
import { createHash } from 'node:crypto';
import { RunBatchError } from '../errors.js';

export interface S3Location {
  bucket: string;
  key: string;
}

export const isS3Uri = (text: string): boolean => text.startsWith('s3://');

export function parseS3Uri(uri: string): S3Location {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!isS3Uri(uri) || bucket === '')
    throw new RunBatchError('USAGE', `${uri}: not an S3 location: expected s3://bucket/key`);
  return { bucket, key: slash < 0 ? '' : rest.slice(slash + 1) };
}

export const s3UriOf = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

/** A prefix (ends in `/`, or is the bucket) or a glob reads many objects as one input. */
export function isManyObjects(uri: string): boolean {
  const { key } = parseS3Uri(uri);
  return key === '' || key.endsWith('/') || /[*?[]/.test(key);
}

/** The folder every prefix input skips and `report` never reads: checkpoints, lock, state. */
export const HIDDEN = '.run-batch/';

/** `s3://b/p/results.csv` -> `p/.run-batch/results.csv/`: this output's checkpoints and lock. */
export function hiddenPrefixOf(output: S3Location): string {
  const slash = output.key.lastIndexOf('/');
  return `${output.key.slice(0, slash + 1)}${HIDDEN}${output.key.slice(slash + 1)}/`;
}

/** A key under some `.run-batch/` folder or named like Hadoop's markers (`_SUCCESS`, `.crc`). */
export function isHiddenKey(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return key.includes(`/${HIDDEN}`) || key.startsWith(HIDDEN) || name.startsWith('_') || name.startsWith('.');
}

/** What a glob's key matches: `*` and `?` within one path segment, `**` across them. */
export function globMatcher(key: string): { listPrefix: string; matches: (key: string) => boolean } {
  const wild = key.search(/[*?[]/);
  if (wild < 0) return { listPrefix: key, matches: (k) => k.startsWith(key) };
  let pattern = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i] as string;
    if (c === '*' && key[i + 1] === '*') {
      pattern += '.*';
      i++;
    } else if (c === '*') pattern += '[^/]*';
    else if (c === '?') pattern += '[^/]';
    else if (c === '[' && key.indexOf(']', i + 2) > 0) {
      // A class as in a shell: [12], [a-z], [!x].
      const end = key.indexOf(']', i + 2);
      pattern += `[${key
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = end;
    } else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${pattern}$`);
  return { listPrefix: key.slice(0, wild), matches: (k) => regex.test(k) };
}

/** A short stable name for a URI: the staging directory of an S3 output. */
export const uriDigest = (uri: string): string => createHash('sha256').update(uri).digest('hex').slice(0, 16);

/** An SDK error's HTTP status, when it has one. */
export const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
