import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBlocks, novaBlocks } from '../../src/bedrock/attachment-blocks.js';
import { nativeAttachmentProblem } from '../../src/bedrock/families/index.js';
import { RunBatchError } from '../../src/errors.js';
import { documentName, imageTokens, LIMITS } from '../../src/input/attachment-rules.js';
import { attachmentsOf } from '../../src/input/attachments.js';
import type { Attachment } from '../../src/types.js';

const fixtures = resolve('fixtures');
const ctx = { columns: ['files'], baseDir: fixtures, label: 'tickets.csv' };
const tmp = mkdtempSync(join(tmpdir(), 'rb-attach-'));

/** A PNG header claiming these dimensions: enough for the size check, which reads only the header. */
function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 2;
  return b;
}

function problem(cell: unknown, line = 7, base = fixtures): string {
  try {
    attachmentsOf({ files: cell }, line, { ...ctx, baseDir: base });
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    expect((error as RunBatchError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected an input error');
}

describe('attachments in a cell', () => {
  it('reads several files, images by their content, documents with names Bedrock accepts', () => {
    const found = attachmentsOf(
      {
        files: 'attachments/login-error.png; attachments/python-logo.jpg;attachments/order-confirmation.txt',
      },
      3,
      ctx,
    );
    expect(found.map((a) => [a.kind, a.format, a.name])).toEqual([
      ['image', 'png', undefined],
      ['image', 'jpeg', undefined],
      ['document', 'txt', 'order-confirmation'],
    ]);
    expect(found[0]?.tokens).toBe(Math.ceil((320 * 200) / 750));
    expect(found[2]?.tokens).toBe(Math.ceil((found[2]?.bytes ?? 0) / 4));
    expect(found[0]?.path).toBe(join(fixtures, 'attachments/login-error.png'));
  });

  it('an empty cell has no attachments', () => {
    expect(attachmentsOf({ files: '' }, 2, ctx)).toEqual([]);
    expect(attachmentsOf({}, 2, ctx)).toEqual([]);
  });

  it('takes s3:// URIs as S3 locations, without looking at them', () => {
    const [a] = attachmentsOf({ files: 's3://my-bucket/scans/invoice 7.pdf' }, 2, ctx);
    expect(a).toMatchObject({
      kind: 'document',
      format: 'pdf',
      s3Uri: 's3://my-bucket/scans/invoice 7.pdf',
      bytes: 0,
      name: 'invoice 7',
    });
  });

  it.each([
    [
      'a missing file',
      'attachments/nope.png',
      /^tickets\.csv:7: column "files": attachments\/nope\.png: no such file \(looked for .*nope\.png\)$/,
    ],
    [
      'an unknown extension',
      'attachments/NOTICE.md.bak',
      /^tickets\.csv:7: column "files": attachments\/NOTICE\.md\.bak: unknown file type "\.bak"/,
    ],
    ['a directory', 'attachments.png', /no such file|is a directory/],
    ['a bad S3 URI', 's3://A_B/x.png', /is not an S3 URI Bedrock accepts/],
    ['text where an image should be', 'attachments/fake.png', /not a readable png, jpeg, gif or webp image/],
  ])('refuses %s naming file:line and column', (_name, cell, message) => {
    if (cell === 'attachments/fake.png') {
      writeFileSync(join(tmp, 'fake.png'), 'this is not an image');
      expect(problem('fake.png', 7, tmp)).toMatch(message);
      return;
    }
    expect(problem(cell, 7)).toMatch(message);
  });

  it('refuses an oversized image, by bytes and by pixels', () => {
    const big = Buffer.concat([pngHeader(100, 100), Buffer.alloc(LIMITS.imageBytes + 1 - 33)]);
    writeFileSync(join(tmp, 'big.png'), big);
    expect(problem('big.png', 9, tmp)).toBe(
      `tickets.csv:9: column "files": big.png: 3932161 bytes is over Bedrock's limit for an image, 3.75 MB (3932160 bytes)`,
    );
    writeFileSync(join(tmp, 'wide.png'), pngHeader(9000, 10));
    expect(problem('wide.png', 9, tmp)).toBe(
      `tickets.csv:9: column "files": wide.png: 9000x10 pixels is over Bedrock's 8000 pixel limit per side`,
    );
  });

  it('refuses more files than Bedrock takes in one request', () => {
    const six = Array.from({ length: 6 }, () => 'attachments/export-steps.md').join(';');
    expect(problem(six, 4)).toBe('tickets.csv:4: 6 documents; Bedrock takes at most 5 per request');
    const many = Array.from({ length: 21 }, () => 'attachments/python-logo.gif').join(';');
    expect(problem(many, 4)).toBe('tickets.csv:4: 21 images; Bedrock takes at most 20 per request');
  });

  it('makes document names unique within a request', () => {
    const found = attachmentsOf({ files: 'attachments/export-steps.md;attachments/export-steps.md' }, 2, ctx);
    expect(found.map((a) => a.name)).toEqual(['export-steps', 'export-steps (2)']);
  });

  it('loads the bytes only when asked, as Converse blocks', async () => {
    const found = attachmentsOf({ files: 'attachments/python-logo.gif;s3://bucket-1/a.webp' }, 2, ctx);
    const blocks = await loadBlocks(found);
    expect(blocks[0]).toMatchObject({ image: { format: 'gif' } });
    expect((blocks[0] as { image: { source: { bytes: Uint8Array } } }).image.source.bytes.length).toBe(405);
    expect(blocks[1]).toEqual({
      image: { format: 'webp', source: { s3Location: { uri: 's3://bucket-1/a.webp' } } },
    });
    expect(novaBlocks(blocks)[1]).toEqual(blocks[1]);
    expect(
      typeof (novaBlocks(blocks)[0] as { image: { source: { bytes: unknown } } }).image.source.bytes,
    ).toBe('string');
  });
});

describe('rules', () => {
  it.each([
    ['invoice_2026.03 #7', 'invoice 2026 03 7'],
    ['Résumé  (final) [v2]', 'Resume (final) [v2]'],
    ['***', 'document'],
    ['a'.repeat(250), 'a'.repeat(200)],
  ])('document name %j -> %j', (stem, name) => {
    expect(documentName(stem)).toBe(name);
  });

  it.each([
    [100, 100, 14],
    [1000, 1000, 1334],
    [4000, 3000, 1534],
    [8000, 8000, 1534],
  ])('image %ix%i ~ %i tokens', (w, h, tokens) => {
    expect(imageTokens(w, h)).toBe(tokens);
  });

  const local = (over: Partial<Attachment>): Attachment => ({
    column: 'f',
    kind: 'image',
    format: 'png',
    path: '/x.png',
    bytes: 1,
    tokens: 1,
    ...over,
  });
  it.each([
    ['anthropic', [local({})], undefined],
    ['nova', [local({ s3Uri: 's3://b/x.png' })], undefined],
    [
      'anthropic',
      [local({ s3Uri: 's3://b/x.png' })],
      /s3:\/\/ attachment cannot go in an Anthropic InvokeModel body/,
    ],
    [
      'anthropic',
      [local({ kind: 'document', format: 'docx' })],
      /a \.docx document cannot go in an Anthropic/,
    ],
    ['llama', [local({})], /cannot be sent to a llama model through --api invoke/],
  ] as const)('InvokeModel %s', (family, list, message) => {
    const p = nativeAttachmentProblem(family, list);
    if (message === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(message);
  });
});

describe('the attachment root', () => {
  const base = join(tmp, 'root-in');
  mkdirSync(join(base, 'docs'), { recursive: true });
  writeFileSync(join(base, 'docs', 'a.md'), '# a\n');
  writeFileSync(join(base, '..notes.md'), '# a file whose name starts with two dots\n');
  writeFileSync(join(tmp, 'secret.md'), '# outside\n');
  symlinkSync(join(tmp, 'secret.md'), join(base, 'docs', 'out.md'));
  symlinkSync(join(base, 'docs', 'a.md'), join(base, 'in.md'));

  it.each(['docs/a.md', 'docs/../docs/a.md', '..notes.md', 'in.md', join(base, 'docs/a.md')])(
    '%s is under the input directory',
    (cell) => {
      expect(attachmentsOf({ files: cell }, 2, { ...ctx, baseDir: base })).toHaveLength(1);
    },
  );

  it.each(['../secret.md', join(tmp, 'secret.md'), 'docs/out.md'])('%s leaves it: refused', (cell) => {
    expect(problem(cell, 4, base)).toMatch(
      /^tickets\.csv:4: column "files": .*: is outside the input file's directory .*--attach-root DIR/,
    );
  });

  it('--attach-root widens or narrows it', () => {
    expect(attachmentsOf({ files: '../secret.md' }, 2, { ...ctx, baseDir: base, root: tmp })).toHaveLength(1);
    expect(() =>
      attachmentsOf({ files: '..notes.md' }, 2, { ...ctx, baseDir: base, root: join(base, 'docs') }),
    ).toThrow(/is outside --attach-root/);
  });

  it('a URL is not a path', () => {
    expect(problem('https://example.com/x.png')).toMatch(/URLs are not supported; .*s3:\/\//);
  });
});
