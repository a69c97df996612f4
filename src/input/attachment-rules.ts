/**
 * Bedrock's rules for attachments as data: size and count limits, the document-name alphabet, and
 * the token estimates an attachment adds to a request (for --tpm reservations, the budget and
 * `estimate`). Pure, so they are tested table-style.
 */

export const MB = 1024 * 1024;

/** Converse's documented limits (Bedrock user guide, "Converse API" > ImageBlock / DocumentBlock). */
export const LIMITS = {
  /** Per image, raw bytes. */
  imageBytes: 3.75 * MB,
  /** Width and height, each. */
  imagePixels: 8000,
  imagesPerRequest: 20,
  /** Per document, raw bytes. */
  documentBytes: 4.5 * MB,
  documentsPerRequest: 5,
  /** The whole request body (bytes travel base64-encoded in it). */
  payloadBytes: 20 * MB,
} as const;

/**
 * Bedrock's image-token estimate: an image whose long side is over 1568 px, or which is over about
 * 1.15 megapixels, is scaled down first; then tokens = width * height / 750, so at most about 1,600.
 */
export function imageTokens(width: number, height: number): number {
  const scale = Math.min(1, 1568 / Math.max(width, height), Math.sqrt(1_150_000 / (width * height)));
  return Math.min(1600, Math.max(1, Math.ceil((width * scale * height * scale) / 750)));
}

const TEXT_DOCUMENTS = new Set(['txt', 'md', 'csv', 'html']);

/**
 * Tokens an attachment adds. Text documents count like text (4 characters a token); binary office
 * and PDF files carry markup and compression, about one token for every 16 bytes (a rough upper
 * estimate; `estimate --count-tokens api` asks Bedrock). An `s3://` object is not looked at: an image
 * counts as the largest image, a document as a typical one.
 */
export function attachmentTokens(
  kind: 'image' | 'document',
  format: string,
  bytes: number,
  width?: number,
  height?: number,
): number {
  if (kind === 'image') return width && height ? imageTokens(width, height) : 1600;
  if (bytes === 0) return 2000;
  return Math.ceil(bytes / (TEXT_DOCUMENTS.has(format) ? 4 : 16));
}

/**
 * A document name Bedrock accepts, from a file name: letters, digits, single spaces, hyphens,
 * parentheses and square brackets, 1 to 200 characters. `invoice_2026.03 #7` -> `invoice 2026 03 7`.
 */
export function documentName(fileStem: string): string {
  const name = fileStem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: é -> e
    .replace(/[^A-Za-z0-9\-()[\] ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200)
    .trim();
  return name === '' ? 'document' : name;
}
