/**
 * Review finding (helper R): an S3 results object that already holds every answer is ignored by a
 * run on a machine without those answers in its ledger: every row is paid again, and the object is
 * overwritten. A local results file in the same situation is resumed with no call. Two ways an
 * operator gets there: the results were written before the run moved to S3 (a local run's file
 * copied up with `aws s3 cp`), or the hidden `.run-batch/` checkpoints are gone (a lifecycle rule,
 * a clean-up) while the results object stays.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { csvRows, keysUnder, machine, makeBucket, put, s3At } from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'bkt';
const used = useEmulator();
afterEach(killStartedClis);

const requests = async (): Promise<number> =>
  ((await (await fetch(`${used.emulator.url}/__emulator/stats`)).json()) as { requests: number }).requests;

describe('an S3 results object that already holds the answers', () => {
  it('is resumed, not paid again, when it was copied up from a local run', async () => {
    const s3 = s3At(used.emulator.url);
    await makeBucket(s3, BUCKET);
    const a = machine(used.emulator.url, used.env());
    const b = machine(used.emulator.url, used.env());
    writeFileSync(join(a.dir, 'in.csv'), csvRows(20));
    writeFileSync(join(b.dir, 'in.csv'), csvRows(20));
    const local = await runCli(['in.csv', '-o', 'results.csv'], { cwd: a.dir, env: a.env });
    expect(local.code).toBe(0);
    expect(await requests()).toBe(20);
    // The operator moves the nightly job to S3: yesterday's results go where the job now writes.
    await put(s3, BUCKET, 'mig/results.csv', readFileSync(join(a.dir, 'results.csv'), 'utf8'));
    const before = await requests();
    const run = await runCli(['in.csv', '-o', `s3://${BUCKET}/mig/results.csv`], { cwd: b.dir, env: b.env });
    expect(run.code).toBe(0);
    expect((await requests()) - before).toBe(0); // fails: 20, every row paid again
  });

  it('is resumed, not paid again, when the checkpoints under .run-batch/ are gone', async () => {
    const s3 = s3At(used.emulator.url);
    await makeBucket(s3, BUCKET);
    const a = machine(used.emulator.url, used.env());
    const b = machine(used.emulator.url, used.env());
    await put(s3, BUCKET, 'lc/in.csv', csvRows(20));
    const uri = `s3://${BUCKET}/lc/out.parquet`;
    const first = await runCli([`s3://${BUCKET}/lc/in.csv`, '-o', uri], { cwd: a.dir, env: a.env });
    expect(first.code).toBe(0);
    // A lifecycle rule (or a clean-up) removes the hidden prefix; the results object stays.
    for (const key of await keysUnder(s3, BUCKET, 'lc/.run-batch/')) {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    }
    const before = await requests();
    const run = await runCli([`s3://${BUCKET}/lc/in.csv`, '-o', uri], { cwd: b.dir, env: b.env });
    expect(run.code).toBe(0);
    expect((await requests()) - before).toBe(0); // fails: 20, every row paid again
  });
});
