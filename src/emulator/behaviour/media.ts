/**
 * Images, documents and video as input: whether the model takes them, and the tokens they count.
 * An image costs about width x height / 750 tokens (Anthropic's published estimate), capped at
 * 1,600 as large images are scaled down first; its size is read from the PNG, GIF, JPEG or WebP
 * header, and an image whose size cannot be read (or held in S3) counts as the cap. A text
 * document counts its text; a PDF 1,500 tokens a page; other binary documents a token per 4 bytes;
 * a video 1,000 tokens per started megabyte [the emulator's figures].
 */
import { hasFeature, type ModelInfo } from '../catalogue/catalogue.js';
import { EmulatedError } from '../wire/exceptions.js';
import { countTokens } from './text.js';

export type Attachment = 'image' | 'document' | 'video' | 'audio';

const FEATURE = { image: 'images', document: 'documents', video: 'video', audio: 'audio' } as const;

/** Refuses a block kind the model cannot take (wording is the emulator's). */
export function checkAttachment(model: ModelInfo, kind: Attachment): void {
  const feature = FEATURE[kind];
  const takes =
    feature === 'images' || feature === 'documents'
      ? hasFeature(model, feature)
      : feature === 'video' && model.family === 'nova' && hasFeature(model, 'images');
  if (!takes) {
    throw new EmulatedError(
      'ValidationException',
      `This model doesn't support the ${kind} content block that you provided. Try again with a supported content block.`,
    );
  }
}

export function imageTokens(bytes: Buffer | undefined): number {
  const size = bytes ? imageSize(bytes) : undefined;
  if (!size) return 1600;
  return Math.max(1, Math.min(1600, Math.ceil((size.width * size.height) / 750)));
}

export function documentTokens(format: string | undefined, bytes: Buffer | undefined, text?: string): number {
  if (text !== undefined) return countTokens(text);
  if (!bytes) return 1500;
  if (format === 'pdf' || bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    const pages = bytes.toString('latin1').match(/\/Type\s*\/Page(?!s)/g)?.length ?? 1;
    return 1500 * Math.max(1, pages);
  }
  if (format === undefined || ['txt', 'md', 'csv', 'html'].includes(format))
    return countTokens(bytes.toString('utf8'));
  return Math.ceil(bytes.length / 4);
}

export function videoTokens(bytes: Buffer | undefined): number {
  return 1000 * Math.max(1, Math.ceil((bytes?.length ?? 1) / 1_000_000));
}

/** A base64 string as bytes, or undefined when it is not one. */
export function fromBase64(data: unknown): Buffer | undefined {
  return typeof data === 'string' ? Buffer.from(data, 'base64') : undefined;
}

function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.subarray(0, 3).toString('latin1') === 'GIF')
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (
    b.length >= 30 &&
    b.subarray(0, 4).toString('latin1') === 'RIFF' &&
    b.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    const kind = b.subarray(12, 16).toString('latin1');
    if (kind === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (kind === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (kind === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker.
    let at = 2;
    while (at + 9 < b.length && b[at] === 0xff) {
      const marker = b[at + 1] ?? 0;
      const length = b.readUInt16BE(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
        return { width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5) };
      at += 2 + length;
    }
  }
  return undefined;
}
