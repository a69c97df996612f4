/**
 * `--limit N` and `--sample N --seed S` through the CLI: only the slice is sent, into a results file
 * of its own; the same sample after other rows are deleted or edited; estimate and batch mode count
 * the slice's rows.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

type Row = Record<string, string>;
const read = (dir: string, file: string) => parse(readFileSync(join(dir, file)), { columns: true }) as Row[];
const ids = (dir: string, file: string) => read(dir, file).map((r) => r.id as string);
const write = (dir: string, file: string, rows: Row[]) =>
  writeFileSync(join(dir, file), stringify(rows, { header: true }));

describe('--limit and --sample', () => {
  it('--limit 10 sends the first 10 rows into <stem>.limit-10.results.csv', async () => {
    const dir = workdir('tickets-200.csv');
    const result = await runCli(['tickets-200.csv', '--limit', '10'], { cwd: dir, env: used.env() });
    expect(result.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(10);
    expect(ids(dir, 'tickets-200.limit-10.results.csv')).toEqual(ids(dir, 'tickets-200.csv').slice(0, 10));
    expect(existsSync(join(dir, 'tickets-200.results.csv'))).toBe(false);
    expect(result.stderr).toContain('slice     10 of 200 rows (--limit 10)');
  });

  it('--sample 50 --seed 7 picks the same ids after ten other rows are deleted and others edited', async () => {
    const dir = workdir('tickets-200.csv');
    const args = ['--sample', '50', '--seed', '7'];
    const first = await runCli(['tickets-200.csv', ...args], { cwd: dir, env: used.env() });
    expect(first.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(50);
    expect(first.stderr).toContain('slice     50 of 200 rows (--sample 50 --seed 7)');
    const chosen = ids(dir, 'tickets-200.sample-50-s7.results.csv');
    expect(new Set(chosen).size).toBe(50);
    const others = read(dir, 'tickets-200.csv').filter((r) => !chosen.includes(r.id as string));
    const deleted = new Set(others.slice(0, 10).map((r) => r.id));
    const edited = new Set(others.slice(10, 30).map((r) => r.id));
    const rows = read(dir, 'tickets-200.csv')
      .filter((r) => !deleted.has(r.id as string))
      .map((r) => (edited.has(r.id as string) ? { ...r, prompt: `${r.prompt} (edited)` } : r));
    write(dir, 'fewer.csv', rows);
    const second = await runCli(['fewer.csv', ...args], { cwd: dir, env: used.env() });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('slice     50 of 190 rows (--sample 50 --seed 7)');
    expect(ids(dir, 'fewer.sample-50-s7.results.csv')).toEqual(chosen);
    // Another seed, another sample of the same size.
    await runCli(['tickets-200.csv', '--sample', '50', '--seed', '8'], { cwd: dir, env: used.env() });
    expect(ids(dir, 'tickets-200.sample-50-s8.results.csv')).not.toEqual(chosen);
  });

  it('--sample with --shard splits the sample: the shards together run exactly its rows', async () => {
    const dir = workdir('tickets-200.csv');
    await runCli(['tickets-200.csv', '--sample', '40', '-o', 'all.csv'], { cwd: dir, env: used.env() });
    const shards: string[] = [];
    for (const i of [1, 2])
      await runCli(['tickets-200.csv', '--sample', '40', '--shard', `${i}/2`, '-o', `s${i}.csv`], {
        cwd: dir,
        env: used.env(),
      });
    for (const i of [1, 2]) shards.push(...ids(dir, `s${i}.csv`));
    expect(shards.sort()).toEqual(ids(dir, 'all.csv').sort());
  });

  it('estimate counts the slice: N rows, and says which', async () => {
    const dir = workdir('tickets-200.csv');
    const text = await runCli(['estimate', 'tickets-200.csv', '--sample', '120', '--seed', '7'], {
      cwd: dir,
      env: used.env(),
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('rows      120, all valid');
    expect(text.stdout).toContain('slice: 120 of 200 rows (--sample 120 --seed 7)');
    const json = await runCli(['estimate', 'tickets-200.csv', '--limit', '7', '--format', 'json'], {
      cwd: dir,
      env: used.env(),
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ rows: 7, slice: '7 of 200 rows (--limit 7)' });
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('refuses a sample under the batch minimum (exit 2), in run and estimate', async () => {
    const dir = workdir('tickets-200.csv');
    const batch = [
      '--mode',
      'batch',
      '--s3',
      's3://jobs/x/',
      '--role-arn',
      'arn:aws:iam::123456789012:role/B',
    ];
    const run = await runCli(['tickets-200.csv', '--sample', '50', ...batch], { cwd: dir, env: used.env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs at least 100 rows .*got 50/);
    const estimate = await runCli(['estimate', 'tickets-200.csv', '--sample', '50', '--mode', 'batch'], {
      cwd: dir,
      env: used.env(),
    });
    expect(estimate.code).toBe(2);
    expect(estimate.stderr).toMatch(/needs at least 100 rows .*got 50/);
  });

  it('refuses --limit with --sample, and --seed alone (exit 2)', async () => {
    const dir = workdir('tickets-200.csv');
    const both = await runCli(['tickets-200.csv', '--limit', '5', '--sample', '5'], {
      cwd: dir,
      env: used.env(),
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--limit.*--sample|--sample.*--limit/);
    const seed = await runCli(['tickets-200.csv', '--seed', '3'], { cwd: dir, env: used.env() });
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('--seed chooses a sample');
    expect(used.emulator.stats().requests).toBe(0);
  });
});
