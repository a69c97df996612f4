/**
 * Batch mode through the built CLI, against an emulator that outlives the CLI (so a kill and a rerun
 * meet the same control plane): the same results file as on-demand at half the cost; a SIGKILL
 * while waiting, then a rerun, makes exactly one job; failed records re-run on-demand or kept as
 * error rows; --no-wait then a later run; --cancel; too few rows refused before any upload.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.js';
import { runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { startMoto } from '../helpers/emulator-batch-moto.js';

const used = useEmulator({ s3Buckets: ['jobs'], batchStepMs: 30 });
const BATCH = [
  '--mode',
  'batch',
  '--s3',
  's3://jobs/run-batch/',
  '--role-arn',
  'arn:aws:iam::123456789012:role/Batch',
];

function env(): Record<string, string> {
  const url = used.emulator.url;
  return {
    ...used.env(),
    AWS_ENDPOINT_URL_BEDROCK: url,
    AWS_ENDPOINT_URL_S3: url,
    RUN_BATCH_POLL_MS: '50',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function input(dir: string, rows: number, prompt = (i: number) => `Ticket ${i}: my invoice is wrong`): void {
  const lines = Array.from({ length: rows }, (_, i) => `t${i + 1},"${prompt(i + 1)}"`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
}

const rows = (dir: string, name = 'in.results.csv') =>
  parse(readFileSync(join(dir, name)), { columns: true }) as Array<Record<string, string>>;
const jobs = () => (used.emulator.stats() as unknown as { batch: { jobs: number } }).batch.jobs;

describe('--mode batch', () => {
  it('writes the same results file as on-demand, in input order, at half the cost', async () => {
    const dir = workdir();
    input(dir, 150);
    const batch = await runCli(['in.csv', ...BATCH], { cwd: dir, env: env() });
    expect(batch.code).toBe(0);
    // --no-reuse: asked on-demand, not reused from the answers the batch run put in the ledger.
    const onDemand = await runCli(['in.csv', '-o', 'od.csv', '--no-reuse'], { cwd: dir, env: env() });
    expect(onDemand.code).toBe(0);
    const [a, b] = [rows(dir), rows(dir, 'od.csv')];
    expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
    // The same fields, and one more: service_tier says which rows Batch Inference answered.
    expect(Object.keys(a[0] ?? {})).toEqual([...Object.keys(b[0] ?? {}), 'service_tier']);
    expect(a.every((r) => r.status === 'ok' && r.attempts === '1' && r.service_tier === 'batch')).toBe(true);
    const cost = (list: typeof a) => list.reduce((sum, r) => sum + Math.round(Number(r.cost_usd) * 1e12), 0);
    expect(cost(a) * 2).toBe(cost(b));
    expect(jobs()).toBe(1);
    const report = JSON.parse(
      (await runCli(['report', 'in.results.csv', 'od.csv', '--by', 'mode', '--format', 'json'], { cwd: dir }))
        .stdout,
    );
    expect(report.groups.map((g: { mode: string; rows: number }) => [g.mode, g.rows])).toEqual([
      ['batch', 150],
      ['ondemand', 150],
    ]);
  });

  it('a SIGKILL while it waits, then a rerun: one job, every id once, all ok', async () => {
    const dir = workdir();
    input(dir, 120);
    const slow = { ...env(), RUN_BATCH_POLL_MS: '2000' };
    const child = startCli(['in.csv', ...BATCH], { cwd: dir, env: slow });
    await waitFor(() => jobs() === 1, 'the batch job', { child });
    child.process.kill('SIGKILL');
    await child.exited;
    const again = await runCli(['in.csv', ...BATCH], { cwd: dir, env: env() });
    expect(again.code).toBe(0);
    expect(jobs()).toBe(1);
    const ids = rows(dir).map((r) => r.id);
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => `t${i + 1}`));
    expect(rows(dir).every((r) => r.status === 'ok')).toBe(true);
  });

  it('re-runs records that failed in the batch on-demand, and they end ok', async () => {
    const dir = workdir();
    input(dir, 110, (i) =>
      i % 50 === 0 ? `Ticket ${i} [[emulator:fail=1:InternalServerException]]` : `Ticket ${i}`,
    );
    const result = await runCli(['in.csv', ...BATCH], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/2 records a batch job answered with an error run again on-demand/);
    const retried = rows(dir).filter((r) => Number(r.attempts) > 1);
    expect(retried.map((r) => r.id)).toEqual(['t50', 't100']);
    expect(rows(dir).every((r) => r.status === 'ok')).toBe(true);
  });

  it('--batch-retry none keeps them as error rows with the record error', async () => {
    const dir = workdir();
    input(dir, 110, (i) => (i === 7 ? 'Ticket 7 [[emulator:error=ValidationException]]' : `Ticket ${i}`));
    const result = await runCli(['in.csv', ...BATCH, '--batch-retry', 'none'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    const failed = rows(dir).filter((r) => r.status === 'error');
    expect(failed.map((r) => r.id)).toEqual(['t7']);
    expect(failed[0]?.error_code).toBe('400');
    expect(failed[0]?.error_message).not.toBe('');
  });

  it('--no-wait submits and exits 5; a later run collects with exit 0; one job', async () => {
    const dir = workdir();
    input(dir, 100);
    const first = await runCli(['in.csv', ...BATCH, '--no-wait'], {
      cwd: dir,
      env: { ...env(), RUN_BATCH_POLL_MS: '10' },
    });
    expect(first.code).toBe(5);
    expect(first.stderr).toMatch(/--no-wait: .*run the same command again/);
    // Not an error: under -q it prints nothing.
    const other = workdir();
    input(other, 100, (i) => `Quiet ticket ${i}`);
    const quiet = await runCli(['in.csv', ...BATCH, '--no-wait', '-q'], { cwd: other, env: env() });
    expect([quiet.code, quiet.stderr, quiet.stdout]).toEqual([5, '', '']);
    await waitFor(
      () => JSON.parse(readFileSync(join(dir, 'in.results.csv.batch.json'), 'utf8')).jobs.length === 1,
      'the job in the state file',
    );
    const later = await runCli(['in.csv', ...BATCH], { cwd: dir, env: env() });
    expect(later.code).toBe(0);
    expect(rows(dir)).toHaveLength(100);
    expect(jobs()).toBe(2);
  });

  it('--cancel stops the job (Stopped), collects what it answered, and exits 3', async () => {
    // An emulator whose jobs take seconds a step, so the job is still running when --cancel comes.
    const slow = await startEmulator({ port: 0, s3Buckets: ['jobs'], batchStepMs: 3000 });
    try {
      const dir = workdir();
      input(dir, 100);
      const slowEnv = {
        ...env(),
        AWS_ENDPOINT_URL_BEDROCK: slow.url,
        AWS_ENDPOINT_URL_S3: slow.url,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: slow.url,
      };
      expect((await runCli(['in.csv', ...BATCH, '--no-wait'], { cwd: dir, env: slowEnv })).code).toBe(5);
      const cancel = await runCli(['in.csv', ...BATCH, '--cancel'], { cwd: dir, env: slowEnv });
      expect(cancel.code).toBe(3);
      // Stopped before it reached a record: nothing answered, nothing paid on-demand.
      expect(cancel.stderr).toMatch(/ended Stopped; 100 rows were not run/);
      const state = JSON.parse(readFileSync(join(dir, 'in.results.csv.batch.json'), 'utf8'));
      expect(state.jobs[0].status).toBe('Stopped');
      expect((slow.stats() as unknown as { requests: number }).requests).toBe(0);
      expect((slow.stats() as unknown as { batch: { jobs: number } }).batch.jobs).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('--cancel with no job of this output running submits nothing, says so, and exits 3', async () => {
    const dir = workdir();
    input(dir, 100);
    const cancel = await runCli(['in.csv', ...BATCH, '--cancel'], { cwd: dir, env: env() });
    expect(cancel.code).toBe(3);
    expect(cancel.stderr).toMatch(
      /--cancel: no batch job of this output was running, and none was submitted/,
    );
    expect(jobs()).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    // The rows run on the next run without --cancel.
    const run = await runCli(['in.csv', ...BATCH], { cwd: dir, env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(jobs()).toBe(1);
  });

  it('fewer rows than the minimum is exit 2 before anything is uploaded', async () => {
    const dir = workdir();
    input(dir, 20);
    const result = await runCli(['in.csv', ...BATCH], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs at least 100 rows/);
    expect(jobs()).toBe(0);
    expect(existsSync(join(dir, 'in.results.csv.batch.json'))).toBe(false);
  });

  it('against moto as S3 (the control plane reading and writing it too): the same results', async () => {
    const moto = await startMoto();
    const emulator = await startEmulator({ port: 0, s3Endpoint: moto.url, batchStepMs: 30 });
    try {
      const s3 = new S3Client({
        region: 'us-east-1',
        endpoint: moto.url,
        forcePathStyle: true,
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      await s3.send(new CreateBucketCommand({ Bucket: 'jobs' }));
      s3.destroy();
      const dir = workdir();
      input(dir, 120);
      const motoEnv = {
        ...env(),
        AWS_ENDPOINT_URL_BEDROCK: emulator.url,
        AWS_ENDPOINT_URL_S3: moto.url,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
      };
      const result = await runCli(['in.csv', ...BATCH], { cwd: dir, env: motoEnv });
      expect(result.code).toBe(0);
      expect(rows(dir).map((r) => r.id)).toEqual(Array.from({ length: 120 }, (_, i) => `t${i + 1}`));
      expect(rows(dir).every((r) => r.status === 'ok')).toBe(true);
      expect((emulator.stats() as unknown as { batch: { jobs: number } }).batch.jobs).toBe(1);
    } finally {
      await emulator.close();
      await moto.stop();
    }
  });

  it('--emulate alone: batch mode on the built-in emulator, its own bucket and role', async () => {
    const dir = workdir('tickets-200.csv');
    const result = await runCli(['tickets-200.csv', '--mode', 'batch', '--emulate'], {
      cwd: dir,
      env: { AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect(result.code).toBe(0);
    const got = rows(dir, 'tickets-200.results.csv');
    expect(got).toHaveLength(200);
    expect(got.every((r) => r.status === 'ok' && r.service_tier === 'batch')).toBe(true);
  });
});
