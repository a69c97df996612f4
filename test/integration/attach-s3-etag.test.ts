/**
 * `s3://` attachments are keyed by their object's ETag (src/run/s3-etags.ts): the same object asked
 * again is answered from the ledger with 0 calls, whatever the output; an object replaced under the
 * same key is asked again (1 call), and the old results file then takes the new answer with no
 * call; a missing object is exit 2 naming file:line and column before any call. Against the
 * emulator's S3 through the real SDK (HeadObject over a socket).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { s3Client } from '../helpers/emulator-batch.js';

const used = useEmulator();
const BUCKET = 'acme-uploads';

async function put(key: string, body: Buffer | string): Promise<void> {
  const s3 = s3Client(used.emulator.url);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => {});
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  } finally {
    s3.destroy();
  }
}

function input(cells: string[]): string {
  const dir = workdir();
  const lines = cells.map((cell, i) => `r${i + 1},Describe this,${cell}`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt,files\n${lines.join('\n')}\n`);
  return dir;
}

async function run(dir: string, output: string) {
  used.emulator.resetStats();
  const result = await runCli(['in.csv', '--attach', 'files', '-o', output], {
    cwd: dir,
    env: { ...used.env(), AWS_ENDPOINT_URL_S3: used.emulator.url },
  });
  return { ...result, calls: used.emulator.stats().requests };
}

describe('s3:// attachments are keyed by their content (ETag)', () => {
  it('the same objects: 0 calls into another output; a replaced object: 1 call, and the old file follows', async () => {
    const png = readFileSync(join(FIXTURES, 'attachments/login-error.png'));
    await put('tickets/a.png', png);
    await put('tickets/b.png', readFileSync(join(FIXTURES, 'attachments/receipt-march.png')));
    const dir = input(['s3://acme-uploads/tickets/a.png', 's3://acme-uploads/tickets/b.png']);

    const first = await run(dir, 'one.jsonl');
    expect(first.code, first.stderr).toBe(0);
    expect(first.calls).toBe(2);

    const again = await run(dir, 'two.jsonl');
    expect(again.code, again.stderr).toBe(0);
    expect(again.calls).toBe(0);
    expect(readJsonl(join(dir, 'two.jsonl')).map((r) => r.reused)).toEqual([true, true]);

    // a.png replaced by another image under the same key.
    await put('tickets/a.png', readFileSync(join(FIXTURES, 'attachments/empty-chart.png')));
    const replaced = await run(dir, 'three.jsonl');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.calls).toBe(1);
    const three = readJsonl(join(dir, 'three.jsonl'));
    expect(three.map((r) => r.reused)).toEqual([false, true]);

    // The first results file: its r1 asks something else now; the ledger has that answer.
    const old = await run(dir, 'one.jsonl');
    expect(old.code, old.stderr).toBe(0);
    expect(old.calls).toBe(0);
    const one = readJsonl(join(dir, 'one.jsonl'));
    expect(one[0]?.request_hash).toBe(three[0]?.request_hash);
    expect(one[0]?.response).toBe(three[0]?.response);
  });

  it('a missing object is exit 2 naming file:line and column, before any call', async () => {
    await put('tickets/here.png', readFileSync(join(FIXTURES, 'attachments/login-error.png')));
    const dir = input(['s3://acme-uploads/tickets/here.png', 's3://acme-uploads/tickets/gone.png']);
    const result = await run(dir, 'out.jsonl');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /in\.csv:3: column "files": s3:\/\/acme-uploads\/tickets\/gone\.png: no such object in S3/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.calls).toBe(0);
  });

  it('S3 out of reach is one setup error, exit 2, before any call', async () => {
    const dir = input(['s3://acme-uploads/tickets/a.png']);
    used.emulator.resetStats();
    const result = await runCli(['in.csv', '--attach', 'files', '-o', 'out.jsonl'], {
      cwd: dir,
      // A loopback port nothing listens on.
      env: { ...used.env(), AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot look at the s3:\/\/ attachments in S3/);
    expect(result.stderr.match(/cannot look at/g)).toHaveLength(1);
    expect(used.emulator.stats().requests).toBe(0);
  });
});
