/**
 * `--metrics-file` through the built CLI on the emulator: the numbers equal the summary's and the
 * results file's (counted here from the file), promtool passes, the file is there while the run
 * goes, and it is written on a stop (exit 3) and a bad input (exit 2), never by a run that found
 * the lock taken (exit 4). Throttles are injected with the emulator's `throttle=N` directive.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, readJsonl, runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { parseProm, promtool, sample } from '../helpers/prom.js';

const used = useEmulator();
afterEach(killStartedClis);

function writeRows(dir: string, prompts: string[]): string {
  const lines = prompts.map((prompt, i) => JSON.stringify({ id: `r${i + 1}`, prompt }));
  writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  return join(dir, 'in.jsonl');
}

const env = () => ({ ...(used.emulator && used.env()), RUN_BATCH_METRICS_INTERVAL_MS: '50' });
const read = (path: string) => parseProm(readFileSync(path, 'utf8'));

describe('--metrics-file', () => {
  it('equals the summary and the results file, and promtool passes', async () => {
    const dir = workdir();
    const prompts = [
      'Ticket 1 [[emulator:throttle=2]]',
      'Ticket 2 [[emulator:throttle=3]]',
      'Ticket 3 [[emulator:error=ValidationException]]',
      ...Array.from({ length: 7 }, (_, i) => `Ticket ${i + 4}`),
      'Ticket 4', // asked twice: the second is answered from the first (reused)
    ];
    const input = writeRows(dir, prompts);
    const prom = join(dir, 'night.prom');
    const args = [
      input,
      '-o',
      join(dir, 'out.jsonl'),
      '--metrics-file',
      prom,
      '--backoff-base',
      '5',
      '-c',
      '4',
    ];
    const first = await runCli([...args, '--metrics-job', 'tickets'], { cwd: dir, env: env() });
    expect(first.code, first.stderr).toBe(1); // one row failed
    const text = readFileSync(prom, 'utf8');
    expect(promtool(text)).toBe('');
    const got = parseProm(text);
    const summary = JSON.parse(readFileSync(join(dir, 'out.jsonl.summary.json'), 'utf8'));
    const records = readJsonl(join(dir, 'out.jsonl'));
    const labels = {
      run_batch_job: 'tickets',
      model: summary.costByModel && Object.keys(summary.costByModel)[0],
    };
    expect(got.every((s) => s.labels.run_batch_job === 'tickets' && s.labels.model === labels.model)).toBe(
      true,
    );

    const ok = records.filter((r) => r.status === 'ok');
    const reused = ok.filter((r) => r.reused === true).length;
    expect(sample(got, 'run_batch_rows', { status: 'ok' })).toBe(ok.length - reused);
    expect(sample(got, 'run_batch_rows', { status: 'reused' })).toBe(reused);
    expect(sample(got, 'run_batch_rows', { status: 'failed' })).toBe(records.length - ok.length);
    expect(sample(got, 'run_batch_rows', { status: 'skipped' })).toBe(0);
    expect(sample(got, 'run_batch_rows', { status: 'not_run' })).toBe(0);
    expect(reused).toBe(1);
    expect(summary.rows).toMatchObject({ ok: ok.length, error: 1, reused });

    // A reused row's record shows what its answer cost when bought; this run paid nothing for it.
    const sent = records.filter((r) => r.reused !== true);
    const sum = (field: string) => sent.reduce((n, r) => n + ((r[field] as number | null) ?? 0), 0);
    expect(sample(got, 'run_batch_tokens_total', { kind: 'input' })).toBe(summary.tokens.input);
    expect(sample(got, 'run_batch_tokens_total', { kind: 'input' })).toBe(sum('input_tokens'));
    expect(sample(got, 'run_batch_tokens_total', { kind: 'output' })).toBe(sum('output_tokens'));
    expect(sample(got, 'run_batch_tokens_total', { kind: 'cache_read' })).toBe(summary.tokens.cacheRead);
    expect(sample(got, 'run_batch_cost_usd_total')).toBe(summary.costUsd);
    expect(sample(got, 'run_batch_cost_usd_total')).toBeCloseTo(sum('cost_usd'), 12);

    // Each row sent is one first call; the rest are retries. Throttles as injected: 2 + 3.
    const calls = sent.reduce((n, r) => n + (r.attempts as number), 0);
    expect(sample(got, 'run_batch_calls_total')).toBe(summary.attempts);
    expect(sample(got, 'run_batch_calls_total')).toBe(calls);
    expect(sample(got, 'run_batch_retries_total')).toBe(calls - sent.length);
    expect(sample(got, 'run_batch_throttles_total')).toBe(summary.throttles);
    expect(summary.throttles).toBe(5);
    expect(sample(got, 'run_batch_exit_code')).toBe(1);
    expect(sample(got, 'run_batch_running')).toBe(0);
    expect(() => sample(got, 'run_batch_last_success_timestamp_seconds')).toThrow(/0 samples/);

    // Again with two more rows: the ok rows are skipped, the failed one runs again, and this
    // time it succeeds nowhere: still exit 1, so still no last success.
    writeRows(dir, [...prompts, 'Ticket 12', 'Ticket 13']);
    const second = await runCli([...args, '--metrics-job', 'tickets'], { cwd: dir, env: env() });
    expect(second.code, second.stderr).toBe(1);
    const again = read(prom);
    expect(sample(again, 'run_batch_rows', { status: 'skipped' })).toBe(ok.length);
    expect(sample(again, 'run_batch_rows', { status: 'ok' })).toBe(2);
    expect(sample(again, 'run_batch_rows', { status: 'failed' })).toBe(1);
    expect(sample(again, 'run_batch_throttles_total')).toBe(0);
  });

  it('is there while the run goes, carries the last success over a stop (exit 3), and is left alone by exit 4', async () => {
    const dir = workdir();
    const input = writeRows(dir, ['Warm up 1', 'Warm up 2']);
    const prom = join(dir, 'night.prom');
    const out = join(dir, 'out.jsonl');
    const good = await runCli([input, '-o', out, '--metrics-file', prom], { cwd: dir, env: env() });
    expect(good.code, good.stderr).toBe(0);
    const success = sample(read(prom), 'run_batch_last_success_timestamp_seconds');
    expect(success).toBeGreaterThan(1_600_000_000);
    expect(sample(read(prom), 'run_batch_exit_code')).toBe(0);

    writeRows(
      dir,
      Array.from({ length: 40 }, (_, i) => `Slow ${i} [[emulator:latency=300]]`),
    );
    const child = startCli([input, '-o', out, '--metrics-file', prom, '-c', '2'], { cwd: dir, env: env() });
    // Mid-run: running, some rows answered, the rest not yet; promtool passes on it too.
    await waitFor(
      () =>
        existsSync(prom) &&
        /run_batch_running\{[^}]*\} 1/.test(readFileSync(prom, 'utf8')) &&
        sample(read(prom), 'run_batch_rows', { status: 'ok' }) >= 2,
      'a mid-run metrics file with answered rows',
      { child },
    );
    const mid = readFileSync(prom, 'utf8');
    expect(promtool(mid)).toBe('');
    expect(sample(parseProm(mid), 'run_batch_rows', { status: 'not_run' })).toBeGreaterThan(0);
    expect(sample(parseProm(mid), 'run_batch_last_success_timestamp_seconds')).toBe(success);
    expect(mid).not.toContain('run_batch_exit_code');

    // A second run on the same results file finds the lock: exit 4, and its metrics file is not made.
    const other = join(dir, 'other.prom');
    const locked = await runCli([input, '-o', out, '--metrics-file', other], { cwd: dir, env: env() });
    expect(locked.code, locked.stderr).toBe(4);
    expect(existsSync(other)).toBe(false);

    child.process.kill('SIGINT');
    expect(await child.exited).toBe(3);
    const stopped = read(prom);
    expect(promtool(readFileSync(prom, 'utf8'))).toBe('');
    expect(sample(stopped, 'run_batch_exit_code')).toBe(3);
    expect(sample(stopped, 'run_batch_running')).toBe(0);
    expect(sample(stopped, 'run_batch_rows', { status: 'not_run' })).toBeGreaterThan(0);
    expect(sample(stopped, 'run_batch_last_success_timestamp_seconds')).toBe(success);
    const summary = JSON.parse(readFileSync(`${out}.summary.json`, 'utf8'));
    expect(sample(stopped, 'run_batch_rows', { status: 'not_run' })).toBe(summary.rows.notRun);
    expect(sample(stopped, 'run_batch_calls_total')).toBe(summary.attempts);
  });

  it('is written on a bad input found after the lock (exit 2)', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.jsonl'), '{"id":"a","prompt":"fine"}\n{"id":"b","prompt": oops}\n');
    const prom = join(dir, 'bad.prom');
    const run = await runCli([join(dir, 'in.jsonl'), '--metrics-file', prom], { cwd: dir, env: env() });
    expect(run.code, run.stderr).toBe(2);
    const text = readFileSync(prom, 'utf8');
    expect(promtool(text)).toBe('');
    expect(sample(parseProm(text), 'run_batch_exit_code', { run_batch_job: 'in.results' })).toBe(2);
    expect(sample(parseProm(text), 'run_batch_calls_total')).toBe(0);
  });

  it('refuses a file in a directory that does not exist, before anything runs (exit 2)', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.jsonl'), '{"id":"a","prompt":"fine"}\n');
    const prom = join(dir, 'missing', 'night.prom');
    const run = await runCli([join(dir, 'in.jsonl'), '--metrics-file', prom], { cwd: dir, env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--metrics-file "${prom}": no directory ${join(dir, 'missing')}`);
    expect(existsSync(join(dir, 'in.results.jsonl'))).toBe(false);
  });
});
