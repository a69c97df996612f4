/**
 * Attachments as content blocks, made when the row is sent: `loadBlocks` reads the files (once per
 * attempt, dropped after) into Converse blocks; InvokeModel bodies take them in the family's own
 * form, for the families whose native body takes them: Anthropic (base64 `source` blocks; images,
 * PDF and plain-text documents, no S3) and Nova (Converse-shaped blocks with base64 `bytes`, or
 * `s3Location`), each codec saying which it takes; others are refused before anything is sent
 * (`nativeAttachmentProblem` in families/index.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Attachment, AttachmentBlock, AttachmentSource, DocumentFormat, ImageFormat } from '../types.js';

const MEDIA_TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
};

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Anthropic Messages content blocks for the loaded attachments. */
export function anthropicBlocks(blocks: readonly AttachmentBlock[]): Array<Record<string, unknown>> {
  return blocks.map((block) => {
    if ('image' in block) {
      const { format, source } = block.image;
      return {
        type: 'image',
        source: { type: 'base64', media_type: MEDIA_TYPES[format], data: bytesOf(source) },
      };
    }
    const { format, name, source } = block.document;
    if (format === 'pdf')
      return {
        type: 'document',
        title: name,
        source: { type: 'base64', media_type: 'application/pdf', data: bytesOf(source) },
      };
    const text = Buffer.from(rawBytes(source)).toString('utf8');
    return { type: 'document', title: name, source: { type: 'text', media_type: 'text/plain', data: text } };
  });
}

/** Nova's native blocks: Converse-shaped, with the bytes as base64 text. */
export function novaBlocks(blocks: readonly AttachmentBlock[]): Array<Record<string, unknown>> {
  return blocks.map((block) => {
    const [kind, inner] = 'image' in block ? ['image', block.image] : ['document', block.document];
    const source = 'bytes' in inner.source ? { bytes: base64(inner.source.bytes) } : inner.source;
    return { [kind]: { ...inner, source } };
  });
}

function rawBytes(source: AttachmentSource): Uint8Array {
  if (!('bytes' in source)) throw new Error('an S3 attachment reached an Anthropic body'); // checked up front
  return source.bytes;
}

function bytesOf(source: AttachmentSource): string {
  return base64(rawBytes(source));
}

/** The content blocks, bytes read now: called when the row is sent, once per attempt. */
export async function loadBlocks(attachments: readonly Attachment[]): Promise<AttachmentBlock[]> {
  return Promise.all(
    attachments.map(async (a): Promise<AttachmentBlock> => {
      const source: AttachmentSource =
        a.s3Uri !== undefined
          ? { s3Location: { uri: a.s3Uri } }
          : { bytes: await readFile(a.path as string) };
      if (a.kind === 'image') return { image: { format: a.format as ImageFormat, source } };
      return { document: { format: a.format as DocumentFormat, name: a.name ?? 'document', source } };
    }),
  );
}
