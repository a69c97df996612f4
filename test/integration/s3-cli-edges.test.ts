/**
 * S3 URIs in the commands beside `run`: show-request and estimate read an S3 input (an object, a
 * prefix, a glob) through the same local copy a run reads and name it by its URI; an S3 output that
 * is a prefix is refused with exit 2, never a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { csvRows, machine, makeBucket, put, s3At } from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'bkt';
const used = useEmulator();
afterEach(killStartedClis);

async function setup() {
  const s3 = s3At(used.emulator.url);
  await makeBucket(s3, BUCKET);
  return { s3, m: machine(used.emulator.url, used.env()) };
}

describe('S3 URIs outside run', () => {
  it('show-request reads an S3 input as a run does', async () => {
    const { s3, m } = await setup();
    await put(s3, BUCKET, 'sr/t.csv', csvRows(5));
    const out = await runCli(['show-request', `s3://${BUCKET}/sr/t.csv`, '--row', 'r0003'], {
      cwd: m.dir,
      env: m.env,
    });
    expect(out.stderr).not.toMatch(/ENOENT|at .*\.js:/);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Question 3');
  });

  it('an S3 output that is a prefix exits 2 saying it must name an object key', async () => {
    const { m } = await setup();
    writeFileSync(join(m.dir, 'in.csv'), csvRows(3));
    const out = await runCli(['in.csv', '-o', `s3://${BUCKET}/y/`, '--output-format', 'csv'], {
      cwd: m.dir,
      env: m.env,
    });
    expect(out.stderr).not.toMatch(/EISDIR|at .*\.js:/);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/must name an object key/);
  });

  it('estimate reads a glob of S3 objects, with no -o, and names the input by its URI', async () => {
    const { s3, m } = await setup();
    await put(s3, BUCKET, 'cq/a.csv', csvRows(4));
    await put(s3, BUCKET, 'cq/b.csv', csvRows(6, 5));
    const glob = await runCli(['estimate', `s3://${BUCKET}/cq/*.csv`, '--format', 'json'], {
      cwd: m.dir,
      env: m.env,
    });
    expect(glob.stderr).toBe('');
    expect(glob.code).toBe(0);
    const estimate = JSON.parse(glob.stdout) as { input: string; rows: number };
    expect(estimate.rows).toBe(10);
    expect(estimate.input).toBe(`s3://${BUCKET}/cq/*.csv`);
    const one = await runCli(['estimate', `s3://${BUCKET}/cq/b.csv`], { cwd: m.dir, env: m.env });
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`s3://${BUCKET}/cq/b.csv`);
    expect(one.stdout).not.toContain('run-batch-s3-');
  });

  it('the summary and the several-models table show an S3 output as given (s3://, not s3:/)', async () => {
    const { m } = await setup();
    writeFileSync(join(m.dir, 'in.csv'), csvRows(3));
    const one = await runCli(['in.csv', '-o', `s3://${BUCKET}/sum/out.csv`], { cwd: m.dir, env: m.env });
    expect(one.code).toBe(0);
    expect(`${one.stdout}${one.stderr}`).toMatch(new RegExp(`results\\s+s3://${BUCKET}/sum/out\\.csv`));
    expect(`${one.stdout}${one.stderr}`).not.toContain('s3:/b');
    const models = ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'us.amazon.nova-micro-v1:0'];
    const several = await runCli(['in.csv', '-m', models.join(','), '-o', `s3://${BUCKET}/sum/{model}.csv`], {
      cwd: m.dir,
      env: m.env,
    });
    expect(several.code).toBe(0);
    const all = `${several.stdout}${several.stderr}`;
    expect(all).toContain(`s3://${BUCKET}/sum/`);
    expect(all).not.toContain('s3:/b');
  });
});
