/**
 * `--limiter`, not told the quota: three runner processes (the built CLI) on one emulator quota
 * through a real redis-server find it together. Counted from what the emulator saw and what the
 * runners left in Redis; nothing timed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { limiterKey } from '../../src/pool/shared.js';
import { FAKE_AWS_ENV, killStartedClis, startCli, workdir } from '../helpers/cli.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

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

describe('--limiter, not told the quota: three runners find it together', () => {
  it('every row ok, few throttles, and one figure for the quota in Redis that all of them run at', async () => {
    // 10 calls a second with a bucket of 2 s: the burst (20 calls) is soon spent and the rest of the
    // 150 calls meet the refill rate, which the runners must find without being told.
    const rpm = 600;
    redis = await startRedis();
    emulator = await startEmulator({ port: 0, rpm, burstSeconds: 2, latencyMs: 50 });
    const dir = workdir();
    const env = {
      ...FAKE_AWS_ENV,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    };
    const shared = ['--limiter', redis.url, '--limiter-key', 'acct-n', '-c', '8'];
    const runs = ['a', 'b', 'c'].map((name) =>
      startCli([input(dir, name, 50), ...shared], { cwd: dir, env }),
    );
    const results = await Promise.all(runs.map((r) => r.ended));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    for (const r of results) expect(r.stderr).not.toContain('Redis failed');
    const stats = emulator.stats();
    expect(stats.ok).toBe(150);
    // Without the limiter three runners each find their own share and throttle each other more;
    // the bench's target is 3% over a thousand calls and more; here the burst's end (a blind cut, then half a second of throttles to read the quota from) weighs on 150, at 10 a second, 10 to 15%.
    expect(stats.throttled / stats.requests).toBeLessThanOrEqual(0.2);

    // The quota's rate the runners measured from all their counts, and the rate they shared.
    const client = new Redis(redis.url);
    try {
      const key = limiterKey({ account: 'acct-n', region: 'us-east-1', model: MODEL });
      const pace = await client.hgetall(`run-batch:{${key}}:pace`);
      expect(Number(pace.quota)).toBeGreaterThan(rpm / 60 / 1.5);
      expect(Number(pace.quota)).toBeLessThan((rpm / 60) * 1.5);
      expect(Number(pace.rate)).toBeLessThan((rpm / 60) * 1.5);
      // Every call counted once in the shared counts: the 150 ok and each throttle.
      const counts = await client.hgetall(`run-batch:{${key}}:counts`);
      expect(Number(counts.ok)).toBe(150);
      expect(Number(counts.throttled)).toBe(stats.throttled);
      expect(Number(counts.calls)).toBe(stats.requests);
    } finally {
      client.disconnect();
    }
  });
});
