/**
 * Counts the attachments a model request carries, for the stats (`media` in GET /__emulator/stats):
 * Converse blocks (`{image}`, `{document}`, either with `source.s3Location`) and native Anthropic
 * blocks (`{type: "image" | "document"}`). Tests check that files reached the emulator by counting
 * here. Bodies without the words are not parsed again, so text-only traffic costs one byte scan.
 */

export interface MediaCount {
  images: number;
  documents: number;
  /** Blocks whose source is an S3 location (a subset of the two above). */
  s3Locations: number;
}

export function countMedia(body: Buffer): MediaCount | undefined {
  if (!body.includes('"image"') && !body.includes('"document"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const count: MediaCount = { images: 0, documents: 0, s3Locations: 0 };
  // CountTokens wraps a Converse request: {input: {converse: {messages}}}.
  const top = parsed as { messages?: unknown; input?: { converse?: { messages?: unknown } } } | null;
  const messages = top?.messages ?? top?.input?.converse?.messages;
  if (!Array.isArray(messages)) return undefined;
  for (const message of messages) {
    const content = (message as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) continue;
    for (const block of content as Array<Record<string, unknown> | null>) {
      if (block === null || typeof block !== 'object') continue;
      const kind =
        block.type === 'image' || 'image' in block
          ? 'image'
          : block.type === 'document' || 'document' in block
            ? 'document'
            : undefined;
      if (kind === undefined) continue;
      if (kind === 'image') count.images++;
      else count.documents++;
      const inner = (block[kind] ?? block) as { source?: { s3Location?: unknown } };
      if (inner.source?.s3Location !== undefined) count.s3Locations++;
    }
  }
  return count.images + count.documents > 0 ? count : undefined;
}
