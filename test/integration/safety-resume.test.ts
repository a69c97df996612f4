/**
 * Resume against what users do between runs (issue 9): a results file damaged in the middle, a
 * changed prompt, model or setting, --fresh with broken credentials, -o naming the input under
 * another name. Each checks that no paid answer is lost or silently kept stale, and counts the
 * emulator's calls.
 */
import { linkSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

function csvInput(dir: string, rows: number, prompt = (i: number) => `Question ${i}`): void {
  const lines = Array.from({ length: rows }, (_, i) => `r${i + 1},${prompt(i + 1)},note ${i + 1}`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt,note\n${lines.join('\n')}\n`);
}

const results = (dir: string) =>
  parse(readFileSync(join(dir, 'in.results.csv')), { columns: true }) as Array<Record<string, string>>;

async function run(dir: string, args: string[] = [], env = used.env()) {
  return runCli(['in.csv', ...args], { cwd: dir, env });
}

describe('a results file damaged in the middle is refused, not cut', () => {
  const damage: Array<[string, (lines: string[]) => string[]]> = [
    ['a blank line', (l) => [...l.slice(0, 10), '', ...l.slice(10)]],
    ['a stray quote', (l) => [...l.slice(0, 10), l[10]?.replace(',ok,', ',"ok,') ?? '', ...l.slice(11)]],
    ['a truncated line', (l) => [...l.slice(0, 10), l[10]?.slice(0, 25) ?? '', ...l.slice(11)]],
  ];
  it.each(damage)('%s: exit 2 naming the line, nothing sent, the file as it was', async (_name, harm) => {
    const dir = workdir();
    csvInput(dir, 30);
    expect((await run(dir)).code).toBe(0);
    const path = join(dir, 'in.results.csv');
    const damaged = harm(readFileSync(path, 'utf8').split('\n')).join('\n');
    writeFileSync(path, damaged);
    used.emulator.resetStats();
    const again = await run(dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/in\.results\.csv:11: damaged .*Fix or delete that line.*--fresh/s);
    expect(used.emulator.stats().requests).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(damaged);
  });

  it('still cuts the half-written last row a crash leaves, and runs only that row', async () => {
    const dir = workdir();
    csvInput(dir, 30);
    await run(dir);
    const path = join(dir, 'in.results.csv');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 30));
    used.emulator.resetStats();
    const again = await run(dir, ['--no-ledger']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('cut off a half-written last row');
    expect(used.emulator.stats().requests).toBe(1);
    expect(results(dir).map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `r${i + 1}`));
    // With the answer ledger, the cut row's answer comes from it: no call at all.
    writeFileSync(path, text.slice(0, text.length - 30));
    used.emulator.resetStats();
    const fromLedger = await run(dir);
    expect(fromLedger.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(results(dir).map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `r${i + 1}`));
  });
});

describe('resume knows what each row asked', () => {
  it.each([
    [
      'a changed prompt on two rows',
      (dir: string) => csvInput(dir, 20, (i) => (i === 3 || i === 7 ? `New ${i}` : `Question ${i}`)),
      [],
      2,
    ],
    ['another model', () => {}, ['-m', 'us.amazon.nova-lite-v1:0'], 20],
    ['a system prompt', () => {}, ['--system', 'Be brief.'], 20],
    ['another --max-tokens', () => {}, ['--max-tokens', '100'], 20],
    ['a template', () => {}, ['--template', 'Answer: {{prompt}}'], 20],
  ])('%s: those rows run again and the summary says so', async (_name, change, args, expected) => {
    const dir = workdir();
    csvInput(dir, 20);
    await run(dir);
    change(dir);
    used.emulator.resetStats();
    const again = await run(dir, args as string[]);
    expect(again.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(expected);
    expect(again.stderr).toMatch(new RegExp(`${expected} rows? asks? something else`));
    const summary = JSON.parse(readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8'));
    expect(summary.rows.changed).toBe(expected);
    const rows = results(dir);
    expect(rows).toHaveLength(20);
    if (expected === 2) expect(rows[2]?.prompt).toBe('New 3');
  });

  it('--keep-changed keeps the old answers on purpose', async () => {
    const dir = workdir();
    csvInput(dir, 10);
    await run(dir);
    used.emulator.resetStats();
    const again = await run(dir, ['--system', 'Be brief.', '--keep-changed']);
    expect(again.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('kept answers are written beside the current input columns', async () => {
    const dir = workdir();
    csvInput(dir, 10);
    await run(dir);
    const input = readFileSync(join(dir, 'in.csv'), 'utf8').replace('note 4', 'note four');
    writeFileSync(join(dir, 'in.csv'), input);
    used.emulator.resetStats();
    expect((await run(dir)).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    const rows = results(dir);
    expect(rows).toHaveLength(10);
    expect(rows[3]?.note).toBe('note four');
    expect(rows[3]?.status).toBe('ok');
  });
});

describe('--fresh', () => {
  it('with no usable credentials exits 2 and leaves the results file as it was', async () => {
    const dir = workdir();
    csvInput(dir, 10);
    await run(dir);
    const before = readFileSync(join(dir, 'in.results.csv'));
    const noCredentials = { AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' };
    const again = await runCli(['in.csv', '--fresh'], { cwd: dir, env: noCredentials });
    expect(again.code).toBe(2);
    expect(readFileSync(join(dir, 'in.results.csv'))).toEqual(before);
  });

  it('moves the old results aside once the first new row is written, and says where', async () => {
    const dir = workdir();
    csvInput(dir, 10);
    await run(dir);
    const before = readFileSync(join(dir, 'in.results.csv'), 'utf8');
    used.emulator.resetStats();
    // --no-reuse: every row asked again (with reuse, --fresh answers them from the ledger).
    const again = await run(dir, ['--fresh', '--no-reuse']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('the previous results are kept in in.results.csv.previous');
    expect(readFileSync(join(dir, 'in.results.csv.previous'), 'utf8')).toBe(before);
    expect(used.emulator.stats().requests).toBe(10);
  });
});

describe('-o never writes over the input', () => {
  it.each([
    ['a symlink', (dir: string) => symlinkSync(join(dir, 'in.csv'), join(dir, 'out.csv'))],
    ['a hard link', (dir: string) => linkSync(join(dir, 'in.csv'), join(dir, 'out.csv'))],
  ])('naming it through %s: exit 2, the input intact', async (_name, link) => {
    const dir = workdir();
    csvInput(dir, 5);
    link(dir);
    const before = readFileSync(join(dir, 'in.csv'));
    const result = await run(dir, ['-o', 'out.csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is the input file/);
    expect(readFileSync(join(dir, 'in.csv'))).toEqual(before);
    expect(used.emulator.stats().requests).toBe(0);
  });
});
