/**
 * `--limiter`: runner processes (the built CLI) sharing one emulator quota through a real
 * redis-server, by counting what the emulator saw. The one place time enters is the peak-rate
 * check, which bounds the calls that arrived between two samples by what the quota let through in
 * the time between them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/server.js';
import { connectLimiter, limiterKey } from '../../src/pool/shared.js';
import { SharedGate } from '../../src/pool/shared-gate.js';
import { FAKE_AWS_ENV, killStartedClis, runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { freePort, type RedisServer, startRedis } from '../helpers/redis.js';

const MODEL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
let emulator: Emulator | undefined;
let redis: RedisServer | undefined;
afterEach(async () => {
  killStartedClis();
  await emulator?.close();
  await redis?.stop();
  emulator = undefined;
  redis = undefined;
});

function input(dir: string, name: string, rows: number): string {
  const lines = Array.from({ length: rows }, (_, i) => `${name}-${i + 1},"Question ${i} from ${name}"`);
  writeFileSync(join(dir, `${name}.csv`), `id,prompt\n${lines.join('\n')}\n`);
  return `${name}.csv`;
}

function env(): Record<string, string> {
  return {
    ...FAKE_AWS_ENV,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator?.url ?? '',
  };
}

/** Starts the CLI without waiting; `done` resolves with how it ended. */
function spawnRunner(dir: string, args: string[]) {
  const child = startCli(args, { cwd: dir, env: env() });
  return { child, done: child.ended };
}

/** Samples the emulator's request count until `done` settles; returns the highest rate over any 3 s or more. */
async function peakRate(done: Promise<unknown>, quotaPerSecond: number, burst: number) {
  const samples: Array<{ at: number; requests: number }> = [];
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    samples.push({ at: performance.now(), requests: emulator?.stats().requests ?? 0 });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  let worst = 0;
  for (const a of samples)
    for (const b of samples) {
      const seconds = (b.at - a.at) / 1000;
      if (seconds < 3) continue;
      // What arrived beyond the quota's pace and its bucket, as a share of the quota's pace.
      worst = Math.max(worst, (b.requests - a.requests - burst) / (quotaPerSecond * seconds));
    }
  return worst;
}

async function setup(emulatorOptions: EmulatorOptions) {
  redis = await startRedis();
  emulator = await startEmulator({ port: 0, ...emulatorOptions });
  return workdir();
}

describe('--limiter: one quota, several runner processes', () => {
  it('three runners told the quota stay under it together: few throttles, peak rate within it', async () => {
    const rpm = 1200;
    const dir = await setup({ rpm, burstSeconds: 1, latencyMs: 50 });
    const shared = [
      '--limiter',
      redis?.url ?? '',
      '--limiter-key',
      'acct-a',
      '--rpm',
      String(rpm),
      '-c',
      '8',
    ];
    const runs = ['a', 'b', 'c'].map((name) => spawnRunner(dir, [input(dir, name, 100), ...shared]));
    const all = Promise.all(runs.map((r) => r.done));
    const peak = await peakRate(all, rpm / 60, rpm / 60);
    const results = await all;
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    // Shared all along: no runner fell back to its own limits.
    for (const r of results) expect(r.stderr).not.toContain('Redis failed');
    const stats = emulator?.stats();
    expect(stats?.ok).toBe(300);
    // Each told the whole quota: alone, three would run at three times it and be throttled often.
    expect((stats?.throttled ?? 0) / (stats?.requests ?? 1)).toBeLessThanOrEqual(0.01);
    expect(peak).toBeLessThanOrEqual(1.1);
  });

  it('three runners told a token quota share one bucket: reservations, settling, few throttles', async () => {
    const tpm = 60_000;
    const dir = await setup({ tpm, burstSeconds: 1, latencyMs: 50 });
    const shared = ['--limiter', redis?.url ?? '', '--tpm', String(tpm), '--max-tokens', '100', '-c', '8'];
    const runs = ['a', 'b', 'c'].map((name) => spawnRunner(dir, [input(dir, name, 60), ...shared]));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    for (const r of results) expect(r.stderr).not.toContain('Redis failed');
    const stats = emulator?.stats();
    expect(stats?.ok).toBe(180);
    expect((stats?.throttled ?? 0) / (stats?.requests ?? 1)).toBeLessThanOrEqual(0.01);
  });

  it('without the limiter, the same three overrun the quota (the check above can fail)', async () => {
    const rpm = 1200;
    const dir = await setup({ rpm, burstSeconds: 1, latencyMs: 50 });
    const alone = ['--rpm', String(rpm), '-c', '8', '--backoff-base', '50'];
    const runs = ['a', 'b', 'c'].map((name) => spawnRunner(dir, [input(dir, name, 100), ...alone]));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    // Past the 1% the test above allows.
    expect((emulator?.stats().throttled ?? 0) / (emulator?.stats().requests ?? 1)).toBeGreaterThan(0.01);
  });

  it('gives back the reservations of a runner killed with SIGKILL once they expire', async () => {
    // 60 tokens a minute refill one token a second: only a given-back reservation fills the
    // bucket within the test, refill alone cannot.
    const tpm = 60;
    const dir = await setup({ latencyMs: 20_000 });
    const key = 'acct-kill';
    const args = ['--limiter', redis?.url ?? '', '--limiter-key', key, '--tpm', String(tpm)];
    // A call hangs for 20 s holding its tokens; the request timeout (2 s) bounds a reservation's life to 7 s.
    const runner = spawnRunner(dir, [
      input(dir, 'k', 5),
      ...args,
      '--max-tokens',
      '100',
      '--request-timeout',
      '2',
    ]);
    await waitFor(() => (emulator?.stats().inFlight ?? 0) >= 1, 'a call in flight', { child: runner.child });
    runner.child.process.kill('SIGKILL');
    await runner.done;

    const limiter = await connectLimiter({
      url: redis?.url ?? '',
      key: limiterKey({ account: key, region: 'us-east-1', model: MODEL }),
    });
    try {
      const held = () => limiter.tokens('held', [tpm / 60_000, 1_000_000, 0]);
      const [open, level] = await held();
      expect(open).toBe(1);
      expect(level).toBeLessThan(20);
      await waitFor(async () => (await held())[0] === 0, 'the reservation to expire', { limitMs: 30_000 });
      // Given back whole (about 100 max tokens + the input), far above a few seconds of refill.
      expect((await held())[1]).toBeGreaterThanOrEqual(100);
    } finally {
      await limiter.close();
    }
  });

  it('a climb lowers no rate set higher; a climb or a cut from a rate since set is refused', async () => {
    redis = await startRedis();
    const limiter = await connectLimiter({
      url: redis.url,
      key: limiterKey({ account: 'acct-raise', region: 'us-east-1', model: MODEL }),
    });
    try {
      const set = await limiter.pace('rate', 20);
      expect(set).toMatchObject({ wait: 0, rate: 20, cuts: 1 });
      // Another runner's climb from an older rate: 15 is under 20, so 20 stays, and is said.
      expect(await limiter.pace('rate', 15, undefined, set.cuts, true)).toMatchObject({ wait: 0, rate: 20 });
      expect((await limiter.pace('turn', 0)).rate).toBe(20);
      expect((await limiter.pace('rate', 26, undefined, set.cuts, true)).rate).toBe(26);
      // A figure is no climb: it sets what it says, whatever was set before, and is counted.
      expect(await limiter.pace('rate', 9, 10)).toMatchObject({ wait: 0, rate: 9, quota: 10, cuts: 2 });
      // A climb from before it is refused and says the rate now: the cut stands.
      expect(await limiter.pace('rate', 27, undefined, set.cuts, true)).toMatchObject({
        wait: 1,
        rate: 9,
        cuts: 2,
      });
      expect(await limiter.pace('turn', 0)).toMatchObject({ rate: 9, quota: 10, cuts: 2 });
      // So is a cut for throttles from before it: another runner already cut for them.
      expect(await limiter.pace('rate', 3, undefined, set.cuts)).toMatchObject({ wait: 1, rate: 9 });
      // Climbing from the cut, heard: written; cutting from it, heard: written and counted.
      expect((await limiter.pace('rate', 9.5, undefined, 2, true)).rate).toBe(9.5);
      expect(await limiter.pace('rate', 5, undefined, 2)).toMatchObject({ wait: 0, rate: 5, cuts: 3 });
    } finally {
      await limiter.close();
    }
  });

  it('a runner that has not heard another’s cut takes it instead of undoing it or cutting again', async () => {
    redis = await startRedis();
    const key = limiterKey({ account: 'acct-heard', region: 'us-east-1', model: MODEL });
    const [a, b] = await Promise.all([1, 2].map(() => connectLimiter({ url: redis?.url ?? '', key })));
    const gates = [a, b].map((limiter) => {
      const gate = new SharedGate(limiter as NonNullable<typeof a>, {});
      const heard: number[] = [];
      gate.onRate = (rps) => heard.push(rps);
      return { gate, heard };
    });
    const [first, second] = gates as [(typeof gates)[0], (typeof gates)[0]];
    try {
      // The first runner cuts for the burst's end (a cut with no figure).
      first.gate.setAdaptiveRate(20);
      await waitFor(async () => (await a?.pace('turn', 0))?.rate === 20, 'the first cut written');
      // The second had heard of no cut: its climb from before is refused, and it hears 20.
      second.gate.setAdaptiveRate(30, undefined, true);
      await waitFor(() => second.heard.includes(20), 'the cut heard');
      // Heard, its cut for throttles of its own is written; the first runner's next cut, from
      // before that one, is refused: it hears 5 rather than cutting to 8 from 20.
      second.gate.setAdaptiveRate(5);
      await waitFor(async () => (await b?.pace('turn', 0))?.rate === 5, 'the second cut written');
      first.gate.setAdaptiveRate(8);
      await waitFor(() => first.heard.includes(5), 'the second cut heard');
      expect((await a?.pace('turn', 0))?.rate).toBe(5);
      // A figure is written whatever was set before.
      first.gate.setAdaptiveRate(9, 10);
      await waitFor(async () => (await b?.pace('turn', 0))?.rate === 9, 'the figure written');
    } finally {
      await Promise.all(gates.map(({ gate }) => gate.stop()));
    }
  });

  it('goes on with local limits, warning once, when Redis stops mid-run', async () => {
    const rpm = 600;
    const dir = await setup({ rpm, burstSeconds: 1 });
    const runner = spawnRunner(dir, [
      input(dir, 'r', 60),
      '--limiter',
      redis?.url ?? '',
      '--rpm',
      String(rpm),
    ]);
    await waitFor(() => (emulator?.stats().ok ?? 0) >= 10, 'the first calls', { child: runner.child });
    await redis?.stop();
    const result = await runner.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/Redis failed/g)).toHaveLength(1);
    expect(result.stderr).toContain(`--limiter ${redis?.url}`);
    const rows = parse(readFileSync(join(dir, 'r.results.csv')), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows.filter((row) => row.status === 'ok')).toHaveLength(60);
  });

  it('exits 2 naming the URL when Redis cannot be reached at start, before any call', async () => {
    emulator = await startEmulator({ port: 0 });
    const dir = workdir();
    const url = `redis://127.0.0.1:${await freePort()}`;
    const result = await runCli([input(dir, 'u', 3), '--limiter', url], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--limiter ${url}: cannot reach Redis`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(emulator.stats().requests).toBe(0);
  });
});
