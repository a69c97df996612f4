/**
 * The two XML request bodies the emulator's S3 reads: CompleteMultipartUpload's part list and
 * DeleteObjects' key list. Both are flat, fixed documents, so a regex per element is enough (and
 * other members, such as checksums, are ignored).
 */
import { S3Error, unescapeXml } from './xml.js';

/** `<CompleteMultipartUpload><Part><PartNumber>n</PartNumber><ETag>"..."</ETag></Part>...` */
export function parseParts(body: Buffer): Array<{ partNumber: number; etag: string }> {
  const text = body.toString('utf8');
  if (!/<CompleteMultipartUpload[\s>]/.test(text)) throw new S3Error('MalformedXML');
  const parts = [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, inner = '']) => ({
    partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(inner)?.[1]),
    etag: unescapeXml(/<ETag>([\s\S]*?)<\/ETag>/.exec(inner)?.[1] ?? ''),
  }));
  if (parts.length === 0 || parts.some((part) => !Number.isInteger(part.partNumber) || part.etag === ''))
    throw new S3Error('MalformedXML');
  return parts;
}

/** `<Delete><Object><Key>k</Key></Object>...<Quiet>true</Quiet></Delete>`, at most 1000 keys. */
export function parseDelete(body: Buffer): { keys: string[]; quiet: boolean } {
  const text = body.toString('utf8');
  if (!/<Delete[\s>]/.test(text)) throw new S3Error('MalformedXML');
  const keys = [...text.matchAll(/<Object>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Object>/g)].map(
    ([, key = '']) => unescapeXml(key),
  );
  if (keys.length === 0 || keys.length > 1000) throw new S3Error('MalformedXML');
  return { keys, quiet: /<Quiet>\s*true\s*<\/Quiet>/.test(text) };
}
