/**
 * The answer ledger against the operator's cases of issue 22: each is a command whose second run's
 * calls are counted on the emulator. Deleted rows, an added column, --stream, a new -o every night,
 * duplicate rows, two typo'd --fresh runs: none pays again for an answer already bought.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../src/job/resolve.js';
import { planRows } from '../../src/plan/plan.js';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

function csvInput(dir: string, rows: number, extra?: (i: number) => string, header = 'id,prompt'): void {
  const lines = Array.from(
    { length: rows },
    (_, i) => `r${i + 1},Question ${i + 1}${extra ? `,${extra(i + 1)}` : ''}`,
  );
  writeFileSync(join(dir, 'in.csv'), `${header}\n${lines.join('\n')}\n`);
}

const csv = (path: string) => parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;

async function run(dir: string, args: string[] = []) {
  return runCli(['in.csv', ...args], { cwd: dir, env: used.env() });
}

describe('the answer ledger: no answer paid twice', () => {
  it('case 1: rows deleted from the input are dropped from the results, 0 calls', async () => {
    const dir = workdir();
    csvInput(dir, 20);
    expect((await run(dir)).code).toBe(0);
    // Delete rows 3 and 11.
    const lines = readFileSync(join(dir, 'in.csv'), 'utf8').split('\n');
    writeFileSync(join(dir, 'in.csv'), lines.filter((_, i) => i !== 3 && i !== 11).join('\n'));
    used.emulator.resetStats();
    const again = await run(dir);
    expect(again.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(again.stderr).toMatch(/2 rows no longer in the input: rebuilt from the answer ledger/);
    expect(again.stderr).toMatch(/2 dropped/);
    const rows = csv(join(dir, 'in.results.csv'));
    expect(rows.map((r) => r.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `r${i + 1}`).filter((id) => id !== 'r3' && id !== 'r11'),
    );
    expect(rows.every((r) => r.status === 'ok' && r.reused === 'true')).toBe(true);
    // The file bought those answers: a rebuild keeps what it paid.
    expect(rows.every((r) => r.paid_usd === r.cost_usd && Number(r.paid_usd) > 0)).toBe(true);
    expect(existsSync(join(dir, 'in.results.csv.previous'))).toBe(true);
  });

  it('case 1 with --no-ledger: refused, naming every stray id at once and what to do', async () => {
    const dir = workdir();
    csvInput(dir, 10);
    expect((await run(dir, ['--no-ledger'])).code).toBe(0);
    csvInput(dir, 6);
    used.emulator.resetStats();
    const again = await run(dir, ['--no-ledger']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has 4 rows whose ids are not in the input: "r7", "r8", "r9", "r10"/);
    expect(again.stderr).toMatch(/run without --no-ledger/);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('case 2: an added input column and --stream rebuild the file with 0 calls', async () => {
    const dir = workdir();
    csvInput(dir, 12);
    expect((await run(dir)).code).toBe(0);
    csvInput(dir, 12, () => 'web', 'id,prompt,source');
    used.emulator.resetStats();
    const added = await run(dir);
    expect(added.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    const rows = csv(join(dir, 'in.results.csv'));
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.source === 'web' && r.status === 'ok')).toBe(true);
    const streamed = await run(dir, ['--stream']);
    expect(streamed.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(Object.keys(csv(join(dir, 'in.results.csv'))[0] ?? {})).toContain('first_token_ms');
  });

  it('case 3: two --fresh runs with a typo in -m keep the good answers; the third pays 0', async () => {
    const dir = workdir();
    csvInput(dir, 8);
    expect((await run(dir)).code).toBe(0);
    const good = readFileSync(join(dir, 'in.results.csv'), 'utf8');
    for (const typo of ['no-such-model-1', 'no-such-model-2']) {
      const bad = await run(dir, ['--fresh', '-m', typo, '--max-errors', '1']);
      expect([1, 2, 3]).toContain(bad.code);
      // Only error rows: the good file is never moved aside.
      expect(readFileSync(join(dir, 'in.results.csv'), 'utf8')).toBe(good);
    }
    used.emulator.resetStats();
    const third = await run(dir, ['--fresh']);
    expect(third.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(csv(join(dir, 'in.results.csv')).filter((r) => r.status === 'ok')).toHaveLength(8);
  });

  it('--fresh never writes over an existing .previous: it rotates', async () => {
    const dir = workdir();
    csvInput(dir, 3);
    expect((await run(dir)).code).toBe(0);
    expect((await run(dir, ['--fresh'])).code).toBe(0);
    expect((await run(dir, ['--fresh'])).code).toBe(0);
    const aside = readdirSync(dir).filter((n) => n.startsWith('in.results.csv.previous'));
    expect(aside).toHaveLength(2);
  });

  it('under -q, where --fresh or a rebuild put the old results is still said', async () => {
    const dir = workdir();
    csvInput(dir, 3);
    expect((await run(dir)).code).toBe(0);
    const fresh = await run(dir, ['--fresh', '-q']);
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toMatch(/--fresh: the previous results are kept in in\.results\.csv\.previous/);
    csvInput(dir, 2); // a row deleted: the file is rebuilt from the ledger, the old one kept aside
    const rebuilt = await run(dir, ['-q']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/no longer in the input.*the old file is kept in/);
    // Nothing else under -q: no progress, no summary of a run that went well.
    expect(rebuilt.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('case 4: a new -o every night over a growing input pays only for the new rows', async () => {
    const dir = workdir();
    csvInput(dir, 10);
    expect((await run(dir, ['-o', 'night1.csv'])).code).toBe(0);
    csvInput(dir, 13);
    // estimate leaves out the rows the ledger answers, and says how many.
    const estimate = await runCli(['estimate', 'in.csv', '--format', 'json'], { cwd: dir, env: used.env() });
    expect(JSON.parse(estimate.stdout)).toMatchObject({ rows: 3, answered: 10 });
    used.emulator.resetStats();
    const night2 = await run(dir, ['-o', 'night2.csv']);
    expect(night2.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(3);
    const rows = csv(join(dir, 'night2.csv'));
    expect(rows.filter((r) => r.reused === 'true')).toHaveLength(10);
    // Another output did not buy them: it paid 0 for the reused rows.
    expect(rows.filter((r) => r.reused === 'true').every((r) => r.paid_usd === '0')).toBe(true);
    expect(rows.filter((r) => r.reused === 'false').every((r) => r.paid_usd === r.cost_usd)).toBe(true);
    // report over both nights adds up to what was spent: the reused rows' value shown apart.
    const paid = [...csv(join(dir, 'night1.csv')), ...rows].reduce((sum, r) => sum + Number(r.paid_usd), 0);
    const report = await runCli(['report', 'night1.csv', 'night2.csv', '--format', 'json'], { cwd: dir });
    expect(report.code).toBe(0);
    const total = JSON.parse(report.stdout).total;
    expect(total.cost_usd).toBeCloseTo(paid, 10);
    expect(total.reused_rows).toBe(10);
    const night1Cost = csv(join(dir, 'night1.csv')).reduce((sum, r) => sum + Number(r.cost_usd), 0);
    expect(total.reused_value_usd).toBeCloseTo(night1Cost, 10);
  });

  it('case 5: the same prompt in 50 rows is paid once; --no-reuse pays each', async () => {
    const dir = workdir();
    const lines = Array.from({ length: 50 }, (_, i) => `t${i + 1},Same question`);
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
    const first = await run(dir, ['-c', '8']);
    expect(first.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(1);
    const rows = csv(join(dir, 'in.results.csv'));
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.response)).size).toBe(1);
    used.emulator.resetStats();
    expect((await run(dir, ['-o', 'again.csv', '--no-reuse', '-c', '8'])).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(50);
  });

  it('duplicates far apart (across the ledger read-ahead of 256 rows) are paid once each', async () => {
    const dir = workdir();
    // 900 rows, 300 questions: each asked at rows i, i+300 and i+600 (far apart), and in the
    // first 300 rows also 20 rows later (near: its leader answered while the row was read ahead).
    const question = (i: number) => (i >= 300 ? i % 300 : (i % 20) + 20 * Math.floor(i / 40));
    const lines = Array.from({ length: 900 }, (_, i) => `t${i + 1},Question ${question(i) + 1}`);
    const distinct = new Set(Array.from({ length: 900 }, (_, i) => question(i))).size;
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
    for (const c of ['1', '16']) {
      used.emulator.resetStats();
      const result = await run(dir, ['-c', c, '-o', `c${c}.csv`, '--ledger', join(dir, `l${c}.db`)]);
      expect(result.code, result.stderr).toBe(0);
      expect(used.emulator.stats().requests).toBe(distinct);
      const rows = csv(join(dir, `c${c}.csv`));
      expect(rows.filter((r) => r.reused === 'true')).toHaveLength(900 - distinct);
      expect(rows[0]?.response).toBe(rows[600]?.response);
    }
  });

  it('JSONL output: deleted rows rebuild the file with 0 calls', async () => {
    const dir = workdir();
    csvInput(dir, 6);
    expect((await run(dir, ['-o', 'out.jsonl'])).code).toBe(0);
    csvInput(dir, 4);
    used.emulator.resetStats();
    expect((await run(dir, ['-o', 'out.jsonl'])).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(readJsonl(join(dir, 'out.jsonl')).map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
  });
});

describe('one file, one lock', () => {
  it('a symlinked results file stays a symlink to an up-to-date file; a run through the other path exits 4', async () => {
    const dir = workdir();
    csvInput(dir, 6);
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real', 'out.csv'), join(dir, 'link.csv'));
    expect((await run(dir, ['-o', 'link.csv'])).code).toBe(0);
    csvInput(dir, 8);
    expect((await run(dir, ['-o', 'link.csv'])).code).toBe(0);
    expect(lstatSync(join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(csv(join(dir, 'real', 'out.csv')).map((r) => r.id)).toEqual(
      Array.from({ length: 8 }, (_, i) => `r${i + 1}`),
    );
    // A live holder of the real file's lock: a run through the link must stop, exit 4.
    const holder = { pid: process.pid, host: hostname(), startedAt: '2026-12-06T01:02:03.000Z' };
    writeFileSync(join(dir, 'real', 'out.csv.lock'), JSON.stringify(holder));
    used.emulator.resetStats();
    const second = await run(dir, ['-o', 'link.csv']);
    expect(second.code).toBe(4);
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('run-batch ledger', () => {
  it('stats, export, import and prune, each with --ledger PATH', async () => {
    const dir = workdir();
    csvInput(dir, 5);
    const ledger = join(dir, 'own.db');
    expect((await run(dir, ['--ledger', ledger])).code).toBe(0);
    expect(statSync(ledger).mode & 0o777).toBe(0o600);
    const stats = await runCli(['ledger', 'stats', '--ledger', ledger], { cwd: dir });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/entries\s+5 \(5 ok, 0 paid failures\)/);
    const exported = await runCli(['ledger', 'export', '--ledger', ledger], { cwd: dir });
    const entries = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(5);
    // In the order they were paid, which is the order the calls ended (any, under -c).
    expect(entries.map((e) => e.rowId).sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(entries.every((e) => e.status === 'ok')).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/Question 1/); // no request body kept
    // A results file written without the ledger, taken into another one: reused from then on.
    expect((await run(dir, ['--no-ledger', '-o', 'plain.csv'])).code).toBe(0);
    const other = join(dir, 'other.db');
    const imported = await runCli(
      [
        'ledger',
        'import',
        'plain.csv',
        '--ledger',
        other,
        '--endpoint',
        used.env().AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? '',
      ],
      { cwd: dir, env: used.env() },
    );
    expect(imported.stdout).toMatch(/5 answers taken into/);
    used.emulator.resetStats();
    expect((await run(dir, ['--ledger', other, '-o', 'again.csv'])).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    // prune is the only way out; a pruned answer is asked again.
    const pruned = await runCli(['ledger', 'prune', '--before', '2999-01-01', '--ledger', other], {
      cwd: dir,
    });
    expect(pruned.stdout).toMatch(/removed 5 entries/);
    expect((await run(dir, ['--ledger', other, '-o', 'third.csv'])).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(5);
    const bad = await runCli(['ledger', 'prune', '--older-than', 'soon', '--ledger', other], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--older-than must be a number and a unit/);
  });
});

describe('results files written before fingerprint version 2', () => {
  /** The file as an older run-batch wrote it: version 1 hashes (24 hex) in request_hash. */
  async function downgrade(dir: string, file: string): Promise<void> {
    const spec = resolveSpec({ input: 'in.csv' }, { cwd: dir, env: {} });
    const plan = await planRows(spec, { path: join(dir, 'in.csv'), label: 'in.csv' });
    await plan.loadV1();
    const rows = csv(join(dir, file));
    const byId = new Map([...plan.indexById].map(([id, i]) => [id, plan.fingerprintV1At(i) ?? '']));
    for (const row of rows) row.request_hash = byId.get(row.id as string) ?? '';
    writeFileSync(join(dir, file), stringify(rows, { header: true }));
    expect(rows.every((r) => r.request_hash?.length === 24)).toBe(true);
  }

  it('stay resumable: 0 calls, with or without the ledger, and a deleted row rebuilds with 0 calls', async () => {
    const dir = workdir();
    csvInput(dir, 8);
    expect((await run(dir, ['--no-ledger'])).code).toBe(0);
    await downgrade(dir, 'in.results.csv');
    used.emulator.resetStats();
    const again = await run(dir, ['--no-ledger']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/8 skipped/);
    expect(used.emulator.stats().requests).toBe(0);
    // With the ledger, whose answers these are not in: a deleted row makes a rebuild that takes
    // them into the ledger (matched by version 1 hashes), still 0 calls.
    await downgrade(dir, 'in.results.csv');
    csvInput(dir, 7);
    const rebuilt = await run(dir);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/7 taken into the ledger now/);
    expect(used.emulator.stats().requests).toBe(0);
    expect(csv(join(dir, 'in.results.csv')).map((r) => r.request_hash?.length)).toEqual(Array(7).fill(32));
  });
});

describe("the operator's sweep", () => {
  it('a results file holding only its header is a valid empty file: no .cut left', async () => {
    const dir = workdir();
    csvInput(dir, 3);
    expect((await run(dir)).code).toBe(0);
    const header = readFileSync(join(dir, 'in.results.csv'), 'utf8').split('\n')[0];
    writeFileSync(join(dir, 'in.results.csv'), `${header}\n`);
    const again = await run(dir);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/cut off/);
    expect(existsSync(join(dir, 'in.results.csv.cut'))).toBe(false);
    expect(csv(join(dir, 'in.results.csv'))).toHaveLength(3);
  });

  it('a missing output directory is named as such', async () => {
    const dir = workdir();
    csvInput(dir, 2);
    const result = await run(dir, ['-o', 'nodir/out.csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/directory .*nodir does not exist/);
    expect(result.stderr).not.toMatch(/lock/);
  });

  it('-o onto a CSV that was never a results file says so, and leaves it as it is', async () => {
    const dir = workdir();
    csvInput(dir, 2);
    writeFileSync(join(dir, 'mine.csv'), 'name,score\nann,3\n');
    const result = await run(dir, ['-o', 'mine.csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/mine\.csv: is not a results file/);
    expect(result.stderr).not.toMatch(/older run-batch/);
    expect(readFileSync(join(dir, 'mine.csv'), 'utf8')).toBe('name,score\nann,3\n');
  });

  it('-o /dev/null writes no /dev/null.summary.json and no lock beside it', async () => {
    const dir = workdir();
    csvInput(dir, 2);
    const result = await run(dir, ['-o', '/dev/null', '--output-format', 'csv']);
    expect(result.code).toBe(0);
    expect(existsSync('/dev/null.summary.json')).toBe(false);
    expect(existsSync('/dev/null.lock')).toBe(false);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});
