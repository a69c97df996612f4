/**
 * --attach through the built CLI, against the emulator over real sockets with the real SDK: image
 * and document blocks reach the emulator (its stats count them) through Converse and InvokeModel,
 * s3:// URIs become s3Location blocks, and a bad file is exit 2 naming file:line before any call.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { s3Client } from '../helpers/emulator-batch.js';
import { fetchStats } from '../helpers/emulator-clients.js';

const used = useEmulator();

/** A working directory with the attachment fixtures and an input whose `files` cells are given. */
function input(cells: string[]): string {
  const dir = workdir();
  cpSync(join(FIXTURES, 'attachments'), join(dir, 'attachments'), { recursive: true });
  const lines = cells.map((cell, i) => `r${i + 1},Describe what you see,"${cell}"`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt,files\n${lines.join('\n')}\n`);
  return dir;
}

function run(dir: string, args: string[]) {
  return runCli(['in.csv', '--attach', 'files', '-o', 'out.jsonl', ...args], { cwd: dir, env: used.env() });
}

/** A one-page PDF, enough for a document block. */
const PDF =
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

describe('attachments reach the emulator', () => {
  it('the shipped multimodal job: every image and document counted', async () => {
    const root = workdir();
    cpSync(join(ROOT, 'jobs'), join(root, 'jobs'), { recursive: true });
    cpSync(FIXTURES, join(root, 'fixtures'), { recursive: true });
    // --no-emulate over the job's `emulate: true`: the calls go to this test's emulator, which counts.
    const result = await runCli(['run', '--job', 'jobs/ticket-screenshots.yaml', '--no-emulate'], {
      cwd: root,
      env: used.env(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/rows {6}5 total: 5 ok, 0 error/);
    const stats = await fetchStats(used.emulator.url);
    // login, receipt, chart, and three logos; the order confirmation and the export notes.
    expect(stats.media).toEqual({ images: 6, documents: 2, s3Locations: 0 });
    expect(stats.requests).toBe(5);
  });

  it.each([
    ['Converse', [], 'converse'],
    ['ConverseStream', ['--stream'], 'converse-stream'],
    ['InvokeModel, Anthropic', ['--api', 'invoke'], 'invoke'],
    ['InvokeModel, Nova', ['--api', 'invoke', '-m', 'us.amazon.nova-lite-v1:0'], 'invoke'],
  ])('%s', async (_name, args, operation) => {
    const dir = input([
      'attachments/login-error.png;attachments/receipt.pdf',
      'attachments/export-steps.md',
      '',
    ]);
    writeFileSync(join(dir, 'attachments/receipt.pdf'), PDF);
    const result = await run(dir, args);
    expect(result.code, result.stderr).toBe(0);
    expect(readJsonl(join(dir, 'out.jsonl')).map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    const stats = await fetchStats(used.emulator.url);
    expect(stats.media).toEqual({ images: 1, documents: 2, s3Locations: 0 });
    expect(stats.byOperation[operation]?.ok).toBe(3);
  });

  it('an image makes a bigger prompt than its text alone', async () => {
    const dir = input(['attachments/login-error.png', '']);
    expect((await run(dir, [])).code).toBe(0);
    const [withImage, without] = readJsonl(join(dir, 'out.jsonl'));
    // 320x200 px is about 86 tokens on the emulator's count.
    expect(Number(withImage?.input_tokens) - Number(without?.input_tokens)).toBeGreaterThan(50);
  });

  it('estimate counts them: locally, and through CountTokens with the files sent', async () => {
    const dir = input(['attachments/login-error.png;attachments/export-steps.md', '']);
    const args = ['estimate', 'in.csv', '-m', 'us.amazon.nova-lite-v1:0'];
    const plain = await runCli(args, { cwd: dir, env: used.env() });
    const local = await runCli([...args, '--attach', 'files'], { cwd: dir, env: used.env() });
    const tokens = (text: string) => Number(/input +([\d,]+) tokens/.exec(text)?.[1]?.replace(/,/g, ''));
    expect(local.code, local.stderr).toBe(0);
    // the 320x200 image (86) and the notes file (about 60) on top of the prompts
    expect(tokens(local.stdout + local.stderr) - tokens(plain.stdout + plain.stderr)).toBeGreaterThan(120);
    const api = await runCli([...args, '--attach', 'files', '--count-tokens', 'api'], {
      cwd: dir,
      env: used.env(),
    });
    expect(api.code, api.stderr).toBe(0);
    const stats = await fetchStats(used.emulator.url);
    expect(stats.byOperation['count-tokens']?.ok).toBe(2);
    expect(stats.media).toEqual({ images: 1, documents: 1, s3Locations: 0 });
  });

  it('an s3:// URI becomes an s3Location block', async () => {
    // The objects exist: run-batch looks at each (HeadObject) for its ETag before anything is sent.
    const s3 = s3Client(used.emulator.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'acme-support-uploads' }));
    for (const key of ['tickets/4471/screen shot.png', 'tickets/4471/invoice.pdf'])
      await s3.send(new PutObjectCommand({ Bucket: 'acme-support-uploads', Key: key, Body: PDF }));
    s3.destroy();
    const dir = input([
      's3://acme-support-uploads/tickets/4471/screen shot.png;s3://acme-support-uploads/tickets/4471/invoice.pdf',
    ]);
    const result = await runCli(['in.csv', '--attach', 'files', '-o', 'out.jsonl'], {
      cwd: dir,
      env: { ...used.env(), AWS_ENDPOINT_URL_S3: used.emulator.url },
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await fetchStats(used.emulator.url)).media).toEqual({ images: 1, documents: 1, s3Locations: 2 });
  });
});

describe('bad attachments are refused before any call', () => {
  const big = (dir: string) =>
    writeFileSync(join(dir, 'attachments/huge.png'), Buffer.alloc(4 * 1024 * 1024, 1));
  it.each([
    [
      'a missing file',
      'attachments/gone.png',
      /in\.csv:3: column "files": attachments\/gone\.png: no such file/,
    ],
    [
      'an unknown extension',
      'attachments/notes.rtf',
      /in\.csv:3: column "files": attachments\/notes\.rtf: unknown file type "\.rtf"/,
    ],
    [
      'an oversized image',
      'attachments/huge.png',
      /in\.csv:3: column "files": attachments\/huge\.png: 4194304 bytes is over Bedrock's limit for an image/,
    ],
  ])('%s: exit 2 naming file:line and column', async (_name, cell, message) => {
    const dir = input(['attachments/login-error.png', cell]);
    big(dir);
    const result = await run(dir, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((await fetchStats(used.emulator.url)).requests).toBe(0);
  });

  it.each([
    [
      'a family whose native body takes no files',
      ['--api', 'invoke', '-m', 'meta.llama3-1-8b-instruct-v1:0'],
      /in\.csv:2: attachments cannot be sent to a llama model through --api invoke/,
    ],
    [
      'an S3 file in an Anthropic native body',
      ['--api', 'invoke'],
      /in\.csv:2: column "files": an s3:\/\/ attachment cannot go in an Anthropic InvokeModel body/,
    ],
  ])('%s', async (_name, args, message) => {
    const cell = args.includes('meta.llama3-1-8b-instruct-v1:0')
      ? 'attachments/login-error.png'
      : 's3://bucket-a/x.png';
    const result = await run(input([cell]), args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect((await fetchStats(used.emulator.url)).requests).toBe(0);
  });

  it('an --attach column the input does not have', async () => {
    const dir = input(['']);
    const result = await runCli(['in.csv', '--attach', 'scans'], { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /in\.csv:1: no "scans" column for --attach; the columns are id, prompt, files/,
    );
  });
});
