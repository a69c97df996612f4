/**
 * Review finding (helper R): `run-batch ledger import` of a Parquet results file takes 0 answers
 * and exits 0, where the same run's CSV results file gives every ok answer. The operator's way to
 * carry answers to another ledger (a new machine) silently does nothing, and the next run there
 * pays every row again.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { csvRows, machine, makeBucket, put, s3At } from '../helpers/s3-run.js';

const used = useEmulator();
afterEach(killStartedClis);

const requests = async (): Promise<number> =>
  ((await (await fetch(`${used.emulator.url}/__emulator/stats`)).json()) as { requests: number }).requests;

describe('ledger import of a Parquet results file', () => {
  it('takes its ok answers, so a run on the new ledger pays nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-review-import-'));
    writeFileSync(join(dir, 'in.csv'), csvRows(10));
    const envA = { ...used.env(), RUN_BATCH_LEDGER: join(dir, 'a.db') };
    const envB = { ...used.env(), RUN_BATCH_LEDGER: join(dir, 'b.db') };
    expect((await runCli(['in.csv', '-o', 'out.parquet'], { cwd: dir, env: envA })).code).toBe(0);
    expect(await requests()).toBe(10);
    const imported = await runCli(['ledger', 'import', 'out.parquet'], { cwd: dir, env: envB });
    expect(imported.code).toBe(0);
    expect(imported.stdout + imported.stderr).toContain('10 answers taken'); // fails: "0 answers taken"
    const before = await requests();
    expect((await runCli(['in.csv', '-o', 'again.csv'], { cwd: dir, env: envB })).code).toBe(0);
    expect((await requests()) - before).toBe(0);
  });

  it('refuses, exit 2, a file that holds rows but is not a results file, a damaged Parquet file and a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-review-import-'));
    writeFileSync(join(dir, 'in.csv'), csvRows(3));
    const env = { ...used.env(), RUN_BATCH_LEDGER: join(dir, 'b.db') };
    const csv = await runCli(['ledger', 'import', 'in.csv'], { cwd: dir, env });
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('in.csv: not a run-batch results file');
    expect(csv.stdout).not.toContain('answers taken');
    writeFileSync(join(dir, 'junk.parquet'), 'not parquet at all');
    const junk = await runCli(['ledger', 'import', 'junk.parquet'], { cwd: dir, env });
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('junk.parquet');
    expect(junk.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli(['ledger', 'import', 'nope.csv'], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.csv: no such file');
  });

  it('reads an S3 results object through a local copy', async () => {
    const s3 = s3At(used.emulator.url);
    await makeBucket(s3, 'bkt');
    const a = machine(used.emulator.url, used.env());
    const b = machine(used.emulator.url, used.env());
    writeFileSync(join(a.dir, 'in.csv'), csvRows(4));
    expect((await runCli(['in.csv', '-o', 'out.csv'], { cwd: a.dir, env: a.env })).code).toBe(0);
    const { readFileSync } = await import('node:fs');
    await put(s3, 'bkt', 'x.csv', readFileSync(join(a.dir, 'out.csv'), 'utf8'));
    const imported = await runCli(['ledger', 'import', 's3://bkt/x.csv'], { cwd: b.dir, env: b.env });
    expect(imported.stderr).not.toContain('ENOENT');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('4 answers taken');
    const absent = await runCli(['ledger', 'import', 's3://bkt/absent.csv'], { cwd: b.dir, env: b.env });
    expect(absent.code).toBe(2);
    expect(absent.stderr).not.toContain('ENOENT');
  });
});
