/**
 * Checkpoint segments are remembered by name and ETag: after the hidden `.run-batch/` prefix is
 * removed, numbering restarts at 000001; a machine that held the old 000001 must still take the
 * new one into its ledger rather than pay its rows again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';
import { csvRows, keysUnder, machine, makeBucket, s3At } from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'bkt';
const used = useEmulator();
let moto: Moto | undefined;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(() => moto?.stop());
afterEach(killStartedClis);

const requests = async (): Promise<number> =>
  ((await (await fetch(`${used.emulator.url}/__emulator/stats`)).json()) as { requests: number }).requests;

describe.each([
  ['the emulator', () => used.emulator.url],
  ['moto', () => (moto as Moto).url],
] as const)('checkpoint segments after the hidden prefix is removed (S3: %s)', (_name, s3Url) => {
  it('a new 000001.jsonl is imported by a machine that held the old one', async () => {
    const s3 = s3At(s3Url());
    await makeBucket(s3, BUCKET);
    const a = machine(s3Url(), used.env());
    const b = machine(s3Url(), used.env());
    const uri = `s3://${BUCKET}/rs/out.csv`;
    writeFileSync(join(a.dir, 'in.csv'), csvRows(10));
    expect((await runCli(['in.csv', '-o', uri], { cwd: a.dir, env: a.env })).code).toBe(0);
    expect(await keysUnder(s3, BUCKET, 'rs/.run-batch/out.csv/segments/')).toContain(
      'rs/.run-batch/out.csv/segments/000001.jsonl',
    );
    // Everything is removed; machine B starts over with a longer input and writes a new 000001.
    for (const key of await keysUnder(s3, BUCKET, 'rs/'))
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    writeFileSync(join(b.dir, 'in.csv'), csvRows(20));
    expect((await runCli(['in.csv', '-o', uri], { cwd: b.dir, env: b.env })).code).toBe(0);
    expect(await keysUnder(s3, BUCKET, 'rs/.run-batch/out.csv/segments/')).toContain(
      'rs/.run-batch/out.csv/segments/000001.jsonl',
    );
    // Machine A, with its staging file of 10 rows, reruns over 20 rows: the 10 new are in B's segment.
    writeFileSync(join(a.dir, 'in.csv'), csvRows(20));
    const before = await requests();
    const run = await runCli(['in.csv', '-o', uri], { cwd: a.dir, env: a.env });
    expect(run.code).toBe(0);
    expect((await requests()) - before).toBe(0);
  });
});
