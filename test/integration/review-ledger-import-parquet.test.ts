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
import { csvRows } from '../helpers/s3-run.js';

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
});
