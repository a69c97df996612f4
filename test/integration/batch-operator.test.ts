/**
 * Batch mode as an operator uses it, with one emulator left running as "the account" between
 * commands (issue 23's three cases): the same rows to a second output and another S3 prefix make no
 * second job and no on-demand call; a kill while a finished job's rows were written back, then the
 * same command, finishes with no new job and no on-demand call, whatever few rows were left; a
 * --cancel that lands mid-file keeps every answered record as an ok row at batch price. Jobs come
 * from the emulator's control-plane stats, on-demand calls from its runtime stats.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.js';
import { runCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ s3Buckets: ['jobs'], batchStepMs: 20 });
const batch = (prefix = 'run-batch/') => [
  '--mode',
  'batch',
  '--s3',
  `s3://jobs/${prefix}`,
  '--role-arn',
  'arn:aws:iam::123456789012:role/Batch',
];

function env(url = used.emulator.url): Record<string, string> {
  return {
    ...used.env(),
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
    AWS_ENDPOINT_URL_BEDROCK: url,
    AWS_ENDPOINT_URL_S3: url,
    RUN_BATCH_POLL_MS: '30',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function input(dir: string, count: number): void {
  const lines = Array.from({ length: count }, (_, i) => `t${i + 1},"Ticket ${i + 1}: my invoice is wrong"`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
}

type Row = Record<string, string>;
const rows = (dir: string, name = 'in.results.csv') =>
  parse(readFileSync(join(dir, name)), { columns: true }) as Row[];
const pico = (list: Row[]) => list.reduce((sum, r) => sum + Math.round(Number(r.cost_usd) * 1e12), 0);
const stats = () => used.emulator.stats();

describe('the same rows to a second output (case 1)', () => {
  // Without the ledger, job identity alone must find the first job (the ledger must not be what
  // hides a job-identity bug); with it, the answers come from the ledger and no job is even looked for.
  it('without the ledger, attaches to the job that holds them: one job, no on-demand call, the same answers and cost', async () => {
    const dir = workdir();
    input(dir, 200);
    const own = ['--no-ledger'];
    expect((await runCli(['in.csv', ...batch(), ...own, '-o', 'a.csv'], { cwd: dir, env: env() })).code).toBe(
      0,
    );
    const second = await runCli(['in.csv', ...batch('other/'), ...own, '-o', 'b.csv'], {
      cwd: dir,
      env: env(),
    });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/already holds these 200 records: collecting it/);
    expect(stats().batch.jobs).toBe(1);
    expect(stats().requests).toBe(0);
    const [a, b] = [rows(dir, 'a.csv'), rows(dir, 'b.csv')];
    expect(b.map((r) => [r.id, r.status, r.service_tier])).toEqual(a.map((r) => [r.id, 'ok', 'batch']));
    expect(pico(b)).toBe(pico(a));
  });

  it('with the ledger, writes them from it: one job, no on-demand call, the same answers, nothing paid again', async () => {
    const dir = workdir();
    input(dir, 200);
    expect((await runCli(['in.csv', ...batch(), '-o', 'a.csv'], { cwd: dir, env: env() })).code).toBe(0);
    const second = await runCli(['in.csv', ...batch('other/'), '-o', 'b.csv'], { cwd: dir, env: env() });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/200 reused/);
    expect(stats().batch.jobs).toBe(1);
    expect(stats().requests).toBe(0);
    const [a, b] = [rows(dir, 'a.csv'), rows(dir, 'b.csv')];
    expect(b.map((r) => [r.id, r.status, r.response])).toEqual(a.map((r) => [r.id, 'ok', r.response]));
    expect(b.every((r) => r.reused === 'true' && Number(r.paid_usd) === 0)).toBe(true);
    expect(pico(b)).toBe(pico(a));
  });
});

describe('a kill while a finished job rows were written back (case 2)', () => {
  it.each([72, 150])(
    'with %i rows left, the same command collects them: no new job, no on-demand call',
    async (left) => {
      const dir = workdir();
      input(dir, 200);
      expect((await runCli(['in.csv', ...batch()], { cwd: dir, env: env() })).code).toBe(0);
      // What the kill leaves: the first rows written back, the job not yet marked collected.
      const path = join(dir, 'in.results.csv');
      const lines = readFileSync(path, 'utf8').split('\n');
      writeFileSync(path, `${lines.slice(0, 1 + 200 - left).join('\n')}\n`);
      const state = JSON.parse(readFileSync(`${path}.batch.json`, 'utf8'));
      state.jobs[0].collected = false;
      writeFileSync(`${path}.batch.json`, JSON.stringify(state));
      for (const mode of ['batch', 'auto']) {
        const args = ['in.csv', ...batch()].map((a) => (a === 'batch' ? mode : a));
        const again = await runCli(args, { cwd: dir, env: env() });
        expect([again.code, again.stderr]).toEqual([0, expect.any(String)]);
        expect(again.stderr).not.toMatch(/needs at least|changed since/);
      }
      expect(stats().batch.jobs).toBe(1);
      expect(stats().requests).toBe(0);
      const ids = rows(dir).map((r) => r.id);
      expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => `t${i + 1}`));
      expect(rows(dir).every((r) => r.status === 'ok' && r.service_tier === 'batch')).toBe(true);
    },
  );

  it('a nightly --mode batch with 50 new rows is below the minimum: exit 2, pointing to --mode auto', async () => {
    const dir = workdir();
    input(dir, 150);
    expect((await runCli(['in.csv', ...batch()], { cwd: dir, env: env() })).code).toBe(0);
    input(dir, 200);
    const grown = await runCli(['in.csv', ...batch()], { cwd: dir, env: env() });
    expect(grown.code).toBe(2);
    expect(grown.stderr).toMatch(/needs at least 100 rows.*got 50.*--mode auto/);
    expect(stats().batch.jobs).toBe(1);
  });
});

describe('--cancel that lands mid-file (case 3)', () => {
  it('keeps every answered record as an ok row at batch price; the rest run on the next run', async () => {
    // Each job waits after its 100th record until it is stopped: the stop lands mid-file, always.
    const slow = await startEmulator({
      port: 0,
      s3Buckets: ['jobs'],
      batchStepMs: 10,
      batchRecordsPerStep: 30,
      batchHoldAt: 100,
    });
    try {
      const dir = workdir();
      input(dir, 300);
      const e = env(slow.url);
      expect((await runCli(['in.csv', ...batch(), '--no-wait'], { cwd: dir, env: e })).code).toBe(5);
      await waitFor(() => slow.stats().batch.records >= 100, 'the job to answer 100 records');
      const cancel = await runCli(['in.csv', ...batch(), '--cancel'], { cwd: dir, env: e });
      expect(cancel.code).toBe(3);
      const answered = slow.stats().batch.succeeded;
      expect(answered).toBe(100);
      expect(cancel.stderr).toMatch(new RegExp(`ended Stopped; ${300 - answered} rows were not run`));
      const kept = rows(dir).filter((r) => r.status === 'ok');
      expect(kept).toHaveLength(answered);
      expect(kept.every((r) => r.service_tier === 'batch')).toBe(true);
      expect(slow.stats().requests).toBe(0);
      // The rest go in a new job (at least the minimum here); nothing is paid twice.
      const rest = await runCli(['in.csv', ...batch(), '--no-wait'], { cwd: dir, env: e });
      expect(rest.code).toBe(5);
      expect(slow.stats().batch.jobs).toBe(2);
      expect(slow.stats().requests).toBe(0);
    } finally {
      await slow.close();
    }
  });
});

describe('a job Bedrock refuses', () => {
  it('is exit 3 with Bedrock words; its rows are not run, never paid on-demand', async () => {
    const dir = workdir();
    input(dir, 120);
    const refused = await runCli(['in.csv', ...batch(), '-m', 'acme.nonesuch-v1:0'], {
      cwd: dir,
      env: env(),
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /refused it \(ValidationException\): The provided model identifier is invalid\.; 120 rows were not run/,
    );
    expect(stats().requests).toBe(0);
    expect(stats().batch.jobs).toBe(0);
  });
});

describe('run-batch batch status', () => {
  it('shows a running and a finished job, their records, expected end and S3 locations', async () => {
    // A job that waits after its 50th record until stopped: running while status looks; the
    // finished job is one on the shared emulator below.
    const held = await startEmulator({ port: 0, s3Buckets: ['jobs'], batchStepMs: 10, batchHoldAt: 50 });
    try {
      const dir = workdir();
      input(dir, 100);
      const e = env(held.url);
      expect(
        (await runCli(['in.csv', ...batch(), '--no-wait', '-o', 'running.csv'], { cwd: dir, env: e })).code,
      ).toBe(5);
      await waitFor(() => held.stats().batch.records >= 50, 'the job to answer 50 records');
      const status = await runCli(['batch', 'status', 'running.csv', '--format', 'json'], {
        cwd: dir,
        env: e,
      });
      expect(status.code).toBe(0);
      const [job] = JSON.parse(status.stdout).jobs;
      expect(job).toMatchObject({
        output: 'running.csv',
        status: 'InProgress',
        live: true,
        records: 100,
        processed: 50,
        collected: false,
        expectedEnd: expect.stringMatching(/^\d{4}-/),
        input: expect.stringMatching(/^s3:\/\/jobs\/run-batch\/running-[0-9a-f]{16}-1\/input\/$/),
        output_s3: expect.stringMatching(/\/output\/$/),
      });
    } finally {
      await held.close();
    }
    const dir = workdir();
    input(dir, 100);
    expect((await runCli(['in.csv', ...batch(), '-o', 'done.csv'], { cwd: dir, env: env() })).code).toBe(0);
    const text = await runCli(['batch', 'status'], { cwd: dir, env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^done\.csv {2}done-[0-9a-f]{16}-1 {2}Completed, collected\n.*100\/100 records, age \d+s, ended /m,
    );
  });
});
