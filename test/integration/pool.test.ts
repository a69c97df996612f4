/**
 * The scheduler against the emulator, by counting: calls in flight (the emulator's peak),
 * attempts per row, throttles seen, rows written. Nothing here measures time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/server.js';
import { FAKE_AWS_ENV, runCli, workdir } from '../helpers/cli.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function run(rows: string[], args: string[], options: EmulatorOptions = {}) {
  emulator = await startEmulator({ port: 0, ...options });
  const dir = workdir();
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${rows.map((p, i) => `r${i + 1},"${p}"`).join('\n')}\n`);
  const result = await runCli(['in.csv', ...args], {
    cwd: dir,
    env: { ...FAKE_AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url },
  });
  const output = parse(readFileSync(join(dir, 'in.results.csv')), { columns: true }) as Array<
    Record<string, string>
  >;
  const summary = JSON.parse(readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8'));
  return { result, output, stats: emulator.stats(), summary };
}

const plain = (n: number, extra = '') => Array.from({ length: n }, (_, i) => `Question number ${i} ${extra}`);

describe('scheduling, by counting', () => {
  it('never has more than -c calls in flight, with latency keeping them all busy', async () => {
    const { result, stats } = await run(plain(60), ['-c', '4'], { latencyMs: 40 });
    expect(result.code).toBe(0);
    expect(stats.requests).toBe(60);
    expect(stats.peakInFlight).toBe(4);
  });

  it('retries scripted throttles and records every try in `attempts`', async () => {
    const rows = [
      'Fine one',
      'Throttled twice [[emulator:throttle=2]]',
      'Fails once [[emulator:fail=1:ServiceUnavailableException]]',
    ];
    const { result, output, stats } = await run(rows, ['--backoff-base', '1']);
    expect(result.code).toBe(0);
    expect(output.map((r) => [r.id, r.status, r.attempts])).toEqual([
      ['r1', 'ok', '1'],
      ['r2', 'ok', '3'],
      ['r3', 'ok', '2'],
    ]);
    expect(stats.requests).toBe(6);
    expect(stats.throttled).toBe(2);
    expect(result.stderr).toMatch(/6 calls, 2 throttled/);
  });

  it('does not retry a non-retryable error', async () => {
    const rows = [
      'Fine',
      'No access [[emulator:error=AccessDeniedException]]',
      'Bad [[emulator:error=ValidationException]]',
    ];
    const { result, output, stats } = await run(rows, ['--backoff-base', '1']);
    expect(result.code).toBe(1);
    expect(output.map((r) => [r.status, r.attempts, r.error_code])).toEqual([
      ['ok', '1', ''],
      ['error', '1', 'AccessDeniedException'],
      ['error', '1', 'ValidationException'],
    ]);
    expect(stats.requests).toBe(3);
  });

  it('gives up after --max-attempts and records the last error', async () => {
    const { output, stats } = await run(
      ['Always down [[emulator:error=ServiceUnavailableException]]'],
      ['--max-attempts', '3', '--backoff-base', '1'],
    );
    expect(output[0]).toMatchObject({
      status: 'error',
      attempts: '3',
      error_code: 'ServiceUnavailableException',
    });
    expect(stats.requests).toBe(3);
  });

  it('fails fast: a wrong model id stops the run after a handful of calls (exit 3)', async () => {
    const { result, output, stats, summary } = await run(plain(500), [
      '-m',
      'anthropic.claude-9-nonexistent-v1:0',
      '-c',
      '4',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /stopped +the first 5 rows all failed with ValidationException: The provided model identifier is invalid\./,
    );
    expect(summary.stop).toMatchObject({ reason: 'fail-fast', kind: 'soft' });
    expect(summary.stop.detail).toMatch(/^the first 5 rows all failed with ValidationException/);
    expect(stats.requests).toBeLessThanOrEqual(5 + 4);
    expect(output.length).toBe(stats.requests);
  });

  it('stops at --max-errors (exit 3)', async () => {
    const rows = [
      ...plain(6),
      ...Array.from({ length: 40 }, (_, i) => `Broken ${i} [[emulator:error=ValidationException]]`),
    ];
    const { result, output, summary } = await run(rows, ['--max-errors', '3', '-c', '1']);
    expect(result.code).toBe(3);
    expect(summary.stop).toEqual({
      reason: 'failures',
      kind: 'soft',
      detail: '3 rows failed (--max-errors 3)',
    });
    expect(result.stderr).toMatch(/3 rows failed \(--max-errors 3\)/);
    expect(output.filter((r) => r.status === 'error')).toHaveLength(3);
  });

  it('writes every row exactly once, all ok, through random faults and retries', async () => {
    const { result, output, stats } = await run(plain(120), ['-c', '8', '--backoff-base', '1'], {
      failRate: 0.25,
      seed: 7,
    });
    expect(result.code).toBe(0);
    expect(output.map((r) => r.id)).toEqual(plain(120).map((_, i) => `r${i + 1}`));
    expect(output.every((r) => r.status === 'ok')).toBe(true);
    expect(stats.faults).toBeGreaterThan(10);
    // Every call the emulator saw is one attempt of one row.
    expect(output.reduce((n, r) => n + Number(r.attempts), 0)).toBe(stats.requests);
  });

  it('paces to a quota it was told: no throttles', async () => {
    const { result, stats } = await run(plain(60), ['--rpm', '1200', '-c', '16'], {
      rpm: 1200,
      burstSeconds: 1,
    });
    expect(result.code).toBe(0);
    expect(stats.ok).toBe(60);
    expect(stats.throttled).toBe(0);
  });

  it('paces to a token quota it was told, reserving input + max_tokens: no throttles', async () => {
    // Each call reserves about 10 input + 50 max tokens: 30,000 tpm admits ~500 calls a minute.
    const { result, stats } = await run(plain(60), ['--tpm', '30000', '--max-tokens', '50', '-c', '16'], {
      tpm: 30000,
      burstSeconds: 1,
    });
    expect(result.code).toBe(0);
    expect(stats.ok).toBe(60);
    expect(stats.throttled).toBe(0);
  });

  it('finds a quota it was not told, and loses no row to it', async () => {
    const { result, output, stats } = await run(plain(80), ['-c', '16', '--backoff-base', '50'], {
      rpm: 1200,
      burstSeconds: 1,
    });
    expect(result.code).toBe(0);
    expect(output.every((r) => r.status === 'ok')).toBe(true);
    expect(stats.throttled).toBeGreaterThan(0);
    // The adaptive limiter keeps retries to a fraction of the rows.
    expect(stats.throttled).toBeLessThan(40);
  });
});
