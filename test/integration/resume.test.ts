/**
 * Cron-grade behaviour of the real CLI against the emulator: resume, crash safety under kill -9,
 * the lock, signals, exit codes and summary.json on every path. Checked by counting rows and the
 * emulator's calls, never by timing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ latencyMs: 100 });

const env = used.env;

function makeInput(dir: string, rows: number, extra = ''): string {
  const lines = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({ id: `row-${i + 1}`, prompt: `Question ${i + 1} ${extra}` }),
  );
  writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  return 'in.jsonl';
}

function ids(rows: number): string[] {
  return Array.from({ length: rows }, (_, i) => `row-${i + 1}`);
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

const start = (dir: string, args: string[]) => startCli(args, { cwd: dir, env: env() });

const summary = (dir: string, name = 'in.results.jsonl') =>
  JSON.parse(readFileSync(join(dir, `${name}.summary.json`), 'utf8')) as Record<string, unknown> & {
    exitCode: number;
    rows: Record<string, number>;
  };

describe('crash safety', () => {
  it('loses and duplicates nothing when killed with SIGKILL at several points', async () => {
    const rows = 240;
    const concurrency = 8;
    const dir = workdir();
    const input = makeInput(dir, rows);
    const results = join(dir, 'in.results.jsonl');
    const kills = [15, 90, 170];
    for (const target of kills) {
      const child = start(dir, [input, '-c', String(concurrency)]);
      await waitFor(() => lineCount(results) >= target, `${target} rows written`, { child });
      child.process.kill('SIGKILL');
      await child.exited;
      // The killed run leaves its lock behind; its rows are all whole lines of JSON.
      expect(existsSync(`${results}.lock`)).toBe(true);
      for (const row of readJsonl(results)) expect(row.status).toBe('ok');
    }
    const last = await runCli([input, '-c', String(concurrency)], { cwd: dir, env: env() });
    expect(last.code).toBe(0);
    expect(last.stderr).toMatch(/took over the lock of a run that is gone/);

    const final = readJsonl(results);
    expect(final.map((r) => r.id)).toEqual(ids(rows));
    expect(final.every((r) => r.status === 'ok')).toBe(true);
    // Paid twice at most: the calls in flight at each kill, and the answers of the ledger's commit
    // group being gathered (at most -c of each: src/run/commit-group.ts).
    const stats = used.emulator.stats();
    expect(stats.ok).toBeGreaterThanOrEqual(rows);
    expect(stats.ok - rows).toBeLessThanOrEqual(kills.length * 2 * concurrency);
    expect(existsSync(`${results}.lock`)).toBe(false);
  });

  it('cuts off a half-written last row left by a crash, and reruns that row', async () => {
    const dir = workdir();
    const input = makeInput(dir, 20);
    const results = join(dir, 'in.results.jsonl');
    expect((await runCli([input, '-c', '4'], { cwd: dir, env: env() })).code).toBe(0);
    // Keep 12 rows and half of the 13th, as a crash in the middle of a write would.
    const lines = readFileSync(results, 'utf8').split('\n');
    writeFileSync(results, `${lines.slice(0, 12).join('\n')}\n${lines[12]?.slice(0, 40)}`);
    used.emulator.reset();
    // Without the answer ledger, the results file is the only record: the cut row and those
    // after it are asked again.
    const again = await runCli([input, '-c', '4', '--no-ledger'], { cwd: dir, env: env() });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/cut off a half-written last row \(40 bytes\)/);
    expect(readJsonl(results).map((r) => r.id)).toEqual(ids(20));
    expect(used.emulator.stats().requests).toBe(8);
    // With it, the same crash costs nothing: the 8 answers come from the ledger.
    writeFileSync(results, `${lines.slice(0, 12).join('\n')}\n${lines[12]?.slice(0, 40)}`);
    used.emulator.reset();
    const fromLedger = await runCli([input, '-c', '4'], { cwd: dir, env: env() });
    expect(fromLedger.code).toBe(0);
    expect(readJsonl(results).map((r) => r.id)).toEqual(ids(20));
    expect(readJsonl(results).filter((r) => r.reused === true)).toHaveLength(8);
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('resume', () => {
  it('makes zero calls when the same command runs again', async () => {
    const dir = workdir();
    const input = makeInput(dir, 30);
    expect((await runCli([input], { cwd: dir, env: env() })).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(30);
    used.emulator.resetStats();
    const again = await runCli([input], { cwd: dir, env: env() });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/30 total: 30 ok, 0 error, 30 skipped/);
    expect(used.emulator.stats().requests).toBe(0);
    expect(summary(dir).rows).toMatchObject({ total: 30, ok: 30, skipped: 30, error: 0 });
  });

  it('runs failed and missing rows again, keeps ok ones, and --fresh starts over', async () => {
    const dir = workdir();
    const rows = ['fine', 'broken [[emulator:error=ServiceUnavailableException]]', 'fine too'];
    writeFileSync(
      join(dir, 'in.jsonl'),
      rows.map((p, i) => JSON.stringify({ id: `r${i}`, prompt: p })).join('\n'),
    );
    const first = await runCli(['in.jsonl', '--max-attempts', '1'], { cwd: dir, env: env() });
    expect(first.code).toBe(1);
    used.emulator.resetStats();
    const second = await runCli(['in.jsonl', '--max-attempts', '1'], { cwd: dir, env: env() });
    expect(second.code).toBe(1);
    expect(used.emulator.stats().requests).toBe(1);
    const results = readJsonl(join(dir, 'in.results.jsonl'));
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['r0', 'ok'],
      ['r1', 'error'],
      ['r2', 'ok'],
    ]);
    used.emulator.resetStats();
    // --fresh starts the file over; the ok answers still come from the ledger: only r1 is asked.
    await runCli(['in.jsonl', '--max-attempts', '1', '--fresh'], { cwd: dir, env: env() });
    expect(used.emulator.stats().requests).toBe(1);
    expect(readJsonl(join(dir, 'in.results.jsonl'))).toHaveLength(3);
    used.emulator.resetStats();
    // --no-reuse asks every row again.
    await runCli(['in.jsonl', '--max-attempts', '1', '--fresh', '--no-reuse'], { cwd: dir, env: env() });
    expect(used.emulator.stats().requests).toBe(3);
    expect(readJsonl(join(dir, 'in.results.jsonl'))).toHaveLength(3);
  });

  it('refuses a results file written for another input, naming it (--no-ledger)', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.results.jsonl'), `${JSON.stringify({ id: 'elsewhere', status: 'ok' })}\n`);
    const result = await runCli([makeInput(dir, 3), '--no-ledger'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/in\.results\.jsonl: has 1 row whose id is not in the input: "elsewhere"/);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('with the answer ledger, moves a results file of another input aside and writes this one', async () => {
    const dir = workdir();
    const foreign = `${JSON.stringify({ id: 'elsewhere', status: 'ok' })}\n`;
    writeFileSync(join(dir, 'in.results.jsonl'), foreign);
    const result = await runCli([makeInput(dir, 3)], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/1 row no longer in the input: rebuilt from the answer ledger/);
    expect(readFileSync(join(dir, 'in.results.jsonl.previous'), 'utf8')).toBe(foreign);
    expect(readJsonl(join(dir, 'in.results.jsonl'))).toHaveLength(3);
  });
});

describe('the lock', () => {
  it('exits 4 naming the holder while another run is alive, and leaves its files alone', async () => {
    const dir = workdir();
    const input = makeInput(dir, 3);
    const holder = { pid: process.pid, host: hostname(), startedAt: '2026-11-26T01:02:03.000Z' };
    writeFileSync(join(dir, 'in.results.jsonl.lock'), JSON.stringify(holder));
    const result = await runCli([input], { cwd: dir, env: env() });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`pid ${process.pid} on ${hostname()}, started 2026-11-26T01:02:03.000Z`);
    expect(used.emulator.stats().requests).toBe(0);
    expect(existsSync(join(dir, 'in.results.jsonl.summary.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'in.results.jsonl.lock'), 'utf8'))).toEqual(holder);
  });

  it('takes over a lock left by a process that is gone, with a warning', async () => {
    const dir = workdir();
    const input = makeInput(dir, 3);
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    writeFileSync(
      join(dir, 'in.results.jsonl.lock'),
      JSON.stringify({ pid: gone.pid, host: hostname(), startedAt: 'earlier' }),
    );
    const result = await runCli([input], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`took over the lock of a run that is gone \\(pid ${gone.pid}`));
    expect(existsSync(join(dir, 'in.results.jsonl.lock'))).toBe(false);
  });
});

describe('signals', () => {
  it('SIGTERM finishes the calls in flight, exits 3, and a second run completes the rest', async () => {
    const dir = workdir();
    const input = makeInput(dir, 200);
    const results = join(dir, 'in.results.jsonl');
    const child = start(dir, [input, '-c', '5']);
    await waitFor(() => lineCount(results) >= 20, '20 rows written', { child });
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(3);
    expect(child.stderr()).toMatch(/stopped +interrupted by SIGTERM/);
    expect(existsSync(`${results}.lock`)).toBe(false);
    const done = readJsonl(results);
    // Every call that was in flight finished and was written: nothing paid for is missing.
    expect(done.length).toBe(used.emulator.stats().ok);
    expect(summary(dir)).toMatchObject({
      exitCode: 3,
      stopReason: 'interrupted by SIGTERM',
      stop: { reason: 'signal', kind: 'soft', detail: 'interrupted by SIGTERM' },
    });

    const rest = await runCli([input, '-c', '5'], { cwd: dir, env: env() });
    expect(rest.code).toBe(0);
    expect(readJsonl(results).map((r) => r.id)).toEqual(ids(200));
    expect(used.emulator.stats().ok).toBe(200);
  });

  it('a second SIGINT cuts the calls in flight off, still writing what finished', async () => {
    const dir = workdir();
    const input = makeInput(dir, 100, '[[emulator:latency=3000]]');
    const child = start(dir, [input, '-c', '4']);
    await waitFor(() => used.emulator.stats().inFlight === 4, '4 calls in flight', { child });
    child.process.kill('SIGINT');
    // The second comes once the first was heard (its warning is printed), not after a fixed wait.
    await waitFor(() => child.stderr().includes('finishing the calls in flight'), 'the first SIGINT heard', {
      child,
    });
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(3);
    expect(used.emulator.stats().ok).toBe(0);
    expect(lineCount(join(dir, 'in.results.jsonl'))).toBe(0);
    // The first stop is the one named; the second made it hard.
    expect(summary(dir)).toMatchObject({
      exitCode: 3,
      stopReason: 'interrupted by SIGINT',
      stop: { reason: 'signal', kind: 'hard', detail: 'interrupted by SIGINT' },
    });
  });
});

describe('exit codes and summary.json', () => {
  it.each([
    ['every row ok: exit 0', 'fine', [], 0],
    ['some rows failed: exit 1', 'x [[emulator:error=ValidationException]]', [], 1],
    ['an input error: exit 2', '', ['--template', '{{missing}}'], 2],
    ['a budget stop: exit 3', 'fine', ['--max-cost', '0.00001', '-c', '1'], 3],
  ])('%s', async (_name, prompt, args, code) => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'in.jsonl'),
      `${JSON.stringify({ id: 'a', prompt: 'fine' })}\n${JSON.stringify({ id: 'b', prompt: prompt || 'fine' })}\n`,
    );
    const result = await runCli(['in.jsonl', ...(args as string[])], { cwd: dir, env: env() });
    expect(result.code).toBe(code);
    const written = summary(dir);
    expect(written.exitCode).toBe(code);
    if (code === 2) expect(written.error).toMatch(/template variable "missing"/);
    if (code === 3) {
      expect(written.stopReason).toMatch(/^budget: /);
      expect(written.stop).toMatchObject({ reason: 'budget', kind: 'soft', detail: written.stopReason });
      expect(Number(written.costUsd)).toBeLessThanOrEqual(0.00001);
    }
  });
});

describe('review follow-ups', () => {
  it('puts a row that filled a gap back in input order when the resumed run ends', async () => {
    const dir = workdir();
    const rows = ['a', 'b [[emulator:latency=4000]]', 'c', 'd'];
    writeFileSync(
      join(dir, 'in.jsonl'),
      rows.map((p, i) => JSON.stringify({ id: `r${i}`, prompt: p })).join('\n'),
    );
    const results = join(dir, 'in.results.jsonl');
    const child = start(dir, ['in.jsonl', '-c', '4']);
    await waitFor(() => lineCount(results) >= 3, '3 rows written', { child });
    child.process.kill('SIGKILL');
    await child.exited;
    expect(readJsonl(results).map((r) => r.id)).toEqual(['r0', 'r2', 'r3']);
    const again = await runCli(['in.jsonl'], { cwd: dir, env: env() });
    expect(again.code).toBe(0);
    expect(readJsonl(results).map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3']);
  });

  it('lets exactly one of two runs started together hold the lock', async () => {
    const dir = workdir();
    const input = makeInput(dir, 20, '[[emulator:latency=300]]');
    const [one, two] = [start(dir, [input, '-c', '4']), start(dir, [input, '-c', '4'])];
    const codes = (await Promise.all([one.exited, two.exited])).sort();
    expect(codes).toEqual([0, 4]);
    expect(readJsonl(join(dir, 'in.results.jsonl')).map((r) => r.id)).toEqual(ids(20));
  });

  it('keeps a batch record within --max-cost by its own max_tokens', async () => {
    const dir = workdir();
    const record = (i: number) =>
      JSON.stringify({
        recordId: `R${i}`,
        modelInput: {
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 4096,
          messages: [{ role: 'user', content: `Long answer please [[emulator:tokens=4000]] ${i}` }],
        },
      });
    writeFileSync(join(dir, 'batch.jsonl'), Array.from({ length: 10 }, (_, i) => record(i)).join('\n'));
    const result = await runCli(['batch.jsonl', '--max-cost', '0.01', '-c', '4'], { cwd: dir, env: env() });
    expect(result.code).toBe(3);
    expect(Number(summary(dir, 'batch.results.jsonl').costUsd)).toBeLessThanOrEqual(0.01);
  });

  it('a summary file it cannot write is a warning, not a failed run', async () => {
    const dir = workdir();
    const input = makeInput(dir, 2);
    mkdirSync(join(dir, 'in.results.jsonl.summary.json'));
    const result = await runCli([input], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: could not write .*in\.results\.jsonl\.summary\.json/);
    expect(result.stderr).not.toMatch(/internal error/);
  });
});

describe('the typed stop in the JSON log', () => {
  it('the summary event carries the stop as the summary file does: reason, kind and the text', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'in.jsonl'),
      ['a', 'b', 'c'].map((id) => JSON.stringify({ id, prompt: 'fine' })).join('\n'),
    );
    const result = await runCli(['in.jsonl', '--max-cost', '0.00001', '-c', '1', '--log-format', 'json'], {
      cwd: dir,
      env: env(),
    });
    expect(result.code).toBe(3);
    const events = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const logged = events.find((event) => event.type === 'summary');
    expect(logged.stop).toMatchObject({ reason: 'budget', kind: 'soft' });
    expect(logged.stop.detail).toMatch(/^budget: .* past --max-cost 0.00001$/);
    expect(logged.stop).toEqual(summary(dir).stop);
  });
});
