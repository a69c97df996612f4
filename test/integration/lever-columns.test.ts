/**
 * Turning a cost lever on (or off) between runs over one results file: the answers already in it
 * are kept, never paid again. The lever's columns are added to the file (the old bytes kept in
 * `<output>.before-columns`), and a file that has them keeps them when the lever is off again.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
// Nova Pro offers the flex tier and prompt caching.
const MODEL = ['-m', 'amazon.nova-pro-v1:0'];

function input(dir: string, rows: number): void {
  const lines = Array.from({ length: rows }, (_, i) => `r${i + 1},Question ${i + 1}`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
}
const path = (dir: string) => join(dir, 'in.results.csv');
const results = (dir: string) =>
  parse(readFileSync(path(dir)), { columns: true }) as Array<Record<string, string>>;
const run = (dir: string, args: string[]) =>
  runCli(['in.csv', ...MODEL, ...args], { cwd: dir, env: used.env() });

describe('a cost lever turned on over an existing results file', () => {
  it('adds its column, keeps every answer (0 calls), and keeps the old bytes', async () => {
    const dir = workdir();
    input(dir, 12);
    expect((await run(dir, [])).code).toBe(0);
    const before = readFileSync(path(dir), 'utf8');
    const answers = results(dir).map((r) => r.response);
    used.emulator.resetStats();
    const flex = await run(dir, ['--service-tier', 'flex']);
    expect(flex.code).toBe(0);
    expect(flex.stderr).toContain('added the column service_tier');
    expect(used.emulator.stats().requests).toBe(0);
    const after = results(dir);
    expect(after.map((r) => r.response)).toEqual(answers);
    expect(after.every((r) => r.service_tier === '' && r.status === 'ok')).toBe(true);
    expect(readFileSync(`${path(dir)}.before-columns`, 'utf8')).toBe(before);
  });

  it('runs the rows left at the lever, beside the kept ones', async () => {
    const dir = workdir();
    input(dir, 12);
    expect((await run(dir, [])).code).toBe(0);
    // The earlier run stopped after 5 rows: its file ends after their records.
    const lines = readFileSync(path(dir), 'utf8').split('\n');
    writeFileSync(path(dir), `${lines.slice(0, 6).join('\n')}\n`);
    used.emulator.resetStats();
    // --no-ledger: the results file is the only record (with the ledger the 7 cost 0 calls too).
    expect((await run(dir, ['--service-tier', 'flex', '--no-ledger'])).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(7);
    const tiers = results(dir).map((r) => r.service_tier);
    expect(tiers.filter((t) => t === '')).toHaveLength(5);
    expect(tiers.filter((t) => t === 'flex')).toHaveLength(7);
  });

  it('keeps the columns when the lever is off again: 0 calls', async () => {
    const dir = workdir();
    input(dir, 6);
    expect(
      (await run(dir, ['--service-tier', 'flex', '--cache-system', '5m', '--system', 'Be brief.'])).code,
    ).toBe(0);
    used.emulator.resetStats();
    const off = await run(dir, ['--system', 'Be brief.']);
    expect(off.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(Object.keys(results(dir)[0] ?? {})).toEqual(
      expect.arrayContaining(['service_tier', 'cache_write_1h_tokens']),
    );
  });

  it('leaves a file whose other columns differ as it was: exit 2, as before', async () => {
    const dir = workdir();
    input(dir, 4);
    expect((await run(dir, [])).code).toBe(0);
    writeFileSync(join(dir, 'in.csv'), 'id,prompt,extra\nr1,Question 1,x\n');
    const before = readFileSync(path(dir), 'utf8');
    // Without the answer ledger, as before (with it, the file is rebuilt: test/integration/ledger.test.ts).
    const again = await run(dir, ['--service-tier', 'flex', '--no-ledger']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('its columns differ');
    expect(readFileSync(path(dir), 'utf8')).toBe(before);
    expect(existsSync(`${path(dir)}.before-columns`)).toBe(false);
  });

  it('leaves a file that does not read back whole as it was (a crash cut its last row): exit 2, nothing sent', async () => {
    const dir = workdir();
    input(dir, 6);
    expect((await run(dir, [])).code).toBe(0);
    const whole = readFileSync(path(dir), 'utf8');
    // A quoted cell cut off mid-way: the file's last record is half written.
    const cut = `${whole}r9,"Question`;
    writeFileSync(path(dir), cut);
    used.emulator.resetStats();
    const again = await run(dir, ['--service-tier', 'flex', '--no-ledger']);
    expect(again.code).toBe(2);
    expect(used.emulator.stats().requests).toBe(0);
    expect(readFileSync(path(dir), 'utf8')).toBe(cut);
    expect(
      readdirSync(dir).filter((name) => name.includes('.tmp') || name.endsWith('.before-columns')),
    ).toEqual([]);
  });
});
