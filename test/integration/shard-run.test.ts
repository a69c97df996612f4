/**
 * `--shard i/N` through the CLI: N runs on one input write N results files whose union is the
 * input, each row once, the same split on every run; report over them gives the job's totals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

const ids = (dir: string, file: string) =>
  (parse(readFileSync(join(dir, file)), { columns: true }) as Array<{ id: string }>).map((r) => r.id);

describe('--shard i/N', () => {
  it('splits the input into shards whose union is every row once, the same way each time', async () => {
    const dir = workdir('tickets-200.csv');
    for (const i of [1, 2, 3]) {
      const result = await runCli(['tickets-200.csv', '--shard', `${i}/3`, '-o', `s${i}.csv`], {
        cwd: dir,
        env: used.env(),
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`shard     ${i}/3 of the input`);
      const summary = JSON.parse(readFileSync(join(dir, `s${i}.csv.summary.json`), 'utf8'));
      expect(summary.shard).toBe(`shard ${i}/3`);
    }
    const shards = [1, 2, 3].map((i) => ids(dir, `s${i}.csv`));
    const all = shards.flat();
    expect(new Set(all).size).toBe(200);
    expect(all.sort()).toEqual(ids(dir, 'tickets-200.csv').sort());
    expect(shards.every((s) => s.length > 0 && s.length < 200)).toBe(true);
    expect(used.emulator.stats().requests).toBe(200);
    // The same split again: nothing left to run in any shard.
    for (const i of [1, 2, 3])
      await runCli(['tickets-200.csv', '--shard', `${i}/3`, '-o', `s${i}.csv`], {
        cwd: dir,
        env: used.env(),
      });
    expect(used.emulator.stats().requests).toBe(200);
    const report = JSON.parse(
      (await runCli(['report', 's1.csv', 's2.csv', 's3.csv', '--format', 'json'], { cwd: dir })).stdout,
    );
    expect(report.total.rows).toBe(200);
  });
});
