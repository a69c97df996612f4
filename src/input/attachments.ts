/**
 * `--attach COLUMN`: files sent with a row's prompt. A cell holds paths (relative to the input file)
 * or `s3://` URIs, several separated by `;` (a JSONL field may hold a list). Images (png, jpeg, gif, webp) become Converse image
 * blocks, documents (pdf, csv, doc, docx, xls, xlsx, html, txt, md) document blocks named as
 * Bedrock accepts. `attachmentsOf` runs in the plan pass: it checks each file's existence, type and
 * Bedrock's limits (size, count per request, total payload) and estimates its tokens, reading only
 * an image's header; an input error names file:line and the column. The bytes are read only when
 * the row is sent (bedrock/attachment-blocks.ts), so a job with a large image per row holds only
 * the rows in flight. A local path must stay under the root (the input file's directory unless
 * --attach-root says otherwise), symlinks followed, so a shared job or input cannot send any file the
 * operator can read.
 */
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { imageSize } from 'image-size';
import { RunBatchError } from '../errors.js';
import type { Attachment, DocumentFormat, ImageFormat } from '../types.js';
import { attachmentTokens, documentName, LIMITS, MB } from './attachment-rules.js';

const IMAGE_EXTENSIONS: Record<string, ImageFormat> = {
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  gif: 'gif',
  webp: 'webp',
};
const DOCUMENT_FORMATS = new Set<string>(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']);
const S3_URI = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](\/.*)?$/;
const URL = /^https?:\/\//i;

export interface AttachContext {
  columns: readonly string[];
  /** Directory relative paths are resolved against: the input file's. */
  baseDir: string;
  /** The input file as named in messages. */
  label: string;
  /** `--attach-root`: local files must be under it. @default baseDir */
  root?: string;
  /**
   * An `s3://` object's ETag, looked up before the plan pass (src/run/s3-etags.ts); throws what is
   * wrong with the object (missing, not readable). Absent: objects are not looked at (--emulate).
   */
  etagOf?: (uri: string) => string | undefined;
}

/** A row's attachments, every one checked; throws an INPUT error naming file:line and column. */
export function attachmentsOf(data: Record<string, unknown>, line: number, ctx: AttachContext): Attachment[] {
  const found: Attachment[] = [];
  for (const column of ctx.columns) {
    const at = `${ctx.label}:${line}: column "${column}"`;
    const cell = data[column];
    if (cell === undefined || cell === null || cell === '') continue;
    // A JSONL field may also hold a list of paths.
    const listed = Array.isArray(cell) && cell.every((c) => typeof c === 'string');
    if (typeof cell !== 'string' && !listed)
      throw new RunBatchError(
        'INPUT',
        `${at}: must hold file paths as text (or, in JSONL, a list of them), got ${JSON.stringify(cell)}`,
      );
    const items = listed ? (cell as string[]) : (cell as string).split(';');
    for (const item of items.map((s) => s.trim()).filter((s) => s !== '')) {
      if (URL.test(item))
        throw new RunBatchError(
          'INPUT',
          `${at}: ${item}: URLs are not supported; put the file in S3 and use an s3:// URI, or a local path`,
        );
      found.push(
        item.startsWith('s3://')
          ? s3Attachment(item, column, at, ctx)
          : localAttachment(item, column, at, ctx),
      );
    }
  }
  checkTotals(found, `${ctx.label}:${line}`);
  nameDocuments(found);
  return found;
}

function typeOf(
  file: string,
  at: string,
): { kind: 'image' | 'document'; format: ImageFormat | DocumentFormat } {
  const ext = extname(file).slice(1).toLowerCase();
  const image = IMAGE_EXTENSIONS[ext];
  if (image) return { kind: 'image', format: image };
  if (DOCUMENT_FORMATS.has(ext)) return { kind: 'document', format: ext as DocumentFormat };
  throw new RunBatchError(
    'INPUT',
    `${at}: ${file}: unknown file type "${ext === '' ? '(none)' : `.${ext}`}"; attachments are images (png, jpeg, gif, webp) or documents (${[...DOCUMENT_FORMATS].join(', ')})`,
  );
}

function s3Attachment(uri: string, column: string, at: string, ctx: AttachContext): Attachment {
  if (!S3_URI.test(uri) || uri.length > 1024)
    throw new RunBatchError('INPUT', `${at}: ${uri} is not an S3 URI Bedrock accepts (s3://bucket/key)`);
  const { kind, format } = typeOf(uri, at);
  let etag: string | undefined;
  try {
    etag = ctx.etagOf?.(uri);
  } catch (error) {
    throw new RunBatchError('INPUT', `${at}: ${uri}: ${(error as Error).message}`);
  }
  const tokens = attachmentTokens(kind, format, 0);
  return { column, kind, format, s3Uri: uri, ...(etag === undefined ? {} : { etag }), bytes: 0, tokens };
}

function localAttachment(item: string, column: string, at: string, ctx: AttachContext): Attachment {
  const path = resolve(ctx.baseDir, item);
  const { kind, format: byName } = typeOf(item, at);
  let bytes: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    bytes = stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new RunBatchError('INPUT', `${at}: ${item}: ${reason} (looked for ${path})`, { cause: error });
  }
  checkUnderRoot(item, path, at, ctx);
  if (bytes === 0) throw new RunBatchError('INPUT', `${at}: ${item}: the file is empty`);
  const limit = kind === 'image' ? LIMITS.imageBytes : LIMITS.documentBytes;
  if (bytes > limit) {
    throw new RunBatchError(
      'INPUT',
      `${at}: ${item}: ${bytes} bytes is over Bedrock's limit for ${kind === 'image' ? 'an image' : 'a document'}, ${limit / MB} MB (${limit} bytes)`,
    );
  }
  if (kind === 'document')
    return { column, kind, format: byName, path, bytes, tokens: attachmentTokens(kind, byName, bytes) };
  const { format, width, height } = imageHeader(path, item, at);
  if (width > LIMITS.imagePixels || height > LIMITS.imagePixels) {
    throw new RunBatchError(
      'INPUT',
      `${at}: ${item}: ${width}x${height} pixels is over Bedrock's ${LIMITS.imagePixels} pixel limit per side`,
    );
  }
  return { column, kind, format, path, bytes, tokens: attachmentTokens(kind, format, bytes, width, height) };
}

/**
 * The file, symlinks resolved, must be under the root (also resolved): a `..`, an absolute path or a
 * symlink out of it is refused. Checked after the stat, so a missing file still says "no such file".
 */
function checkUnderRoot(item: string, path: string, at: string, ctx: AttachContext): void {
  const root = ctx.root ?? ctx.baseDir;
  const inside = (dir: string, file: string) => {
    const rel = relative(dir, file);
    return rel !== '' && rel.split(sep)[0] !== '..' && !isAbsolute(rel);
  };
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(path);
    realRoot = realpathSync(root);
  } catch {
    real = path;
    realRoot = root;
  }
  if (inside(root, path) && inside(realRoot, real)) return;
  const named = ctx.root === undefined ? "the input file's directory" : '--attach-root';
  throw new RunBatchError(
    'INPUT',
    `${at}: ${item}: is outside ${named} (${root}); attachments are read only under it: use --attach-root DIR to allow another directory`,
  );
}

/** Reads only the start of an image (its dimensions are in the header); the format is the content's. */
function imageHeader(
  path: string,
  item: string,
  at: string,
): { format: ImageFormat; width: number; height: number } {
  const head = Buffer.alloc(64 * 1024);
  let read: number;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new RunBatchError('INPUT', `${at}: ${item}: cannot read it: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const size = imageSize(head.subarray(0, read));
    const format = IMAGE_EXTENSIONS[size.type ?? ''];
    if (format && size.width && size.height) return { format, width: size.width, height: size.height };
  } catch {
    // fall through: the content is not an image of a known type
  }
  throw new RunBatchError('INPUT', `${at}: ${item}: not a readable png, jpeg, gif or webp image`);
}

function checkTotals(found: Attachment[], at: string): void {
  const images = found.filter((a) => a.kind === 'image').length;
  const documents = found.length - images;
  if (images > LIMITS.imagesPerRequest)
    throw new RunBatchError(
      'INPUT',
      `${at}: ${images} images; Bedrock takes at most ${LIMITS.imagesPerRequest} per request`,
    );
  if (documents > LIMITS.documentsPerRequest)
    throw new RunBatchError(
      'INPUT',
      `${at}: ${documents} documents; Bedrock takes at most ${LIMITS.documentsPerRequest} per request`,
    );
  // The bytes travel base64-encoded in the JSON body: 4 characters for every 3 bytes.
  const payload = Math.ceil((found.reduce((sum, a) => sum + a.bytes, 0) * 4) / 3);
  if (payload > LIMITS.payloadBytes) {
    throw new RunBatchError(
      'INPUT',
      `${at}: the attachments make a ${(payload / MB).toFixed(1)} MB request; Bedrock takes at most ${LIMITS.payloadBytes / MB} MB`,
    );
  }
}

/** Names derived from the file names, made unique within the request (Bedrock rejects duplicates). */
function nameDocuments(found: Attachment[]): void {
  const used = new Set<string>();
  for (const a of found) {
    if (a.kind !== 'document') continue;
    const base = documentName(basename(a.path ?? a.s3Uri ?? 'document', extname(a.path ?? a.s3Uri ?? '')));
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base.slice(0, 190)} (${n})`;
    used.add(name);
    a.name = name;
  }
}
