import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { resolveSpec } from '../../src/job/resolve.js';
import { limiterKey, shownUrl } from '../../src/pool/shared.js';

const cwd = mkdtempSync(join(tmpdir(), 'limiter-options-'));
writeFileSync(join(cwd, 'in.csv'), 'prompt\nx\n');

function usage(raw: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    resolveSpec({ input: 'in.csv', ...raw }, { cwd, env });
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    expect((error as RunBatchError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('--limiter, --limiter-key, --shard', () => {
  it('takes a Redis URL from the flag, else RUN_BATCH_LIMITER', () => {
    const flag = resolveSpec({ input: 'in.csv', limiter: 'redis://10.0.0.5:6380/2' }, { cwd, env: {} });
    expect(flag.limiter).toBe('redis://10.0.0.5:6380/2');
    const env = resolveSpec({ input: 'in.csv' }, { cwd, env: { RUN_BATCH_LIMITER: 'redis://cache:6379' } });
    expect(env.limiter).toBe('redis://cache:6379');
    expect(resolveSpec({ input: 'in.csv' }, { cwd, env: {} }).limiter).toBeUndefined();
  });

  it.each([
    [
      'http://localhost:6379',
      '--limiter must be a Redis URL, redis://host:port[/db], got "http://localhost:6379"',
    ],
    [
      'redis://localhost:6379/x',
      '--limiter must be a Redis URL, redis://host:port[/db], got "redis://localhost:6379/x"',
    ],
    ['localhost', '--limiter must be a Redis URL, redis://host:port[/db], got "localhost"'],
  ])('refuses --limiter %s', (value, message) => {
    expect(usage({ limiter: value })).toBe(message);
  });

  it('names the environment value the same way', () => {
    expect(usage({}, { RUN_BATCH_LIMITER: 'nonsense' })).toMatch(
      /--limiter \(from RUN_BATCH_LIMITER\) must be a Redis URL.*"nonsense"/,
    );
  });

  it.each([
    ['2/3', { index: 2, count: 3 }],
    ['1/1', { index: 1, count: 1 }],
    [' 3 / 3 ', { index: 3, count: 3 }],
  ])('reads --shard %s', (value, shard) => {
    expect(resolveSpec({ input: 'in.csv', shard: value }, { cwd, env: {} }).shard).toEqual(shard);
  });

  it.each(['0/3', '4/3', '1/0', '2', 'a/b', '-1/3'])('refuses --shard %s', (value) => {
    expect(usage({ shard: value })).toBe(`--shard must be i/N with i from 1 to N, e.g. 2/3, got "${value}"`);
  });

  it('keys the limiter by account, region and model; the account from --limiter-key or the access key', () => {
    const spec = resolveSpec({ input: 'in.csv', 'limiter-key': 'acct-1' }, { cwd, env: {} });
    expect(spec.limiterKey).toBe('acct-1');
    expect(limiterKey({ account: 'acct-1', accessKeyId: 'AKID1', region: 'us-east-1', model: 'm' })).toBe(
      'acct-1:us-east-1:m',
    );
    const a = limiterKey({ accessKeyId: 'AKIDONE', region: 'us-east-1', model: 'm' });
    expect(a).toMatch(/^akid-[0-9a-f]{16}:us-east-1:m$/);
    expect(a).not.toContain('AKIDONE');
    expect(limiterKey({ accessKeyId: 'AKIDONE', region: 'us-east-1', model: 'm' })).toBe(a);
    expect(limiterKey({ accessKeyId: 'AKIDTWO', region: 'us-east-1', model: 'm' })).not.toBe(a);
  });

  it('never shows a Redis password', () => {
    expect(shownUrl('redis://:hunter2@cache:6379/1')).toBe('redis://:***@cache:6379/1');
  });
});
