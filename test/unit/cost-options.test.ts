/**
 * The cost levers' options, checked in the one validator: --service-tier and --cache-system from
 * flags and job files, with the value quoted back when it is wrong (exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { readJobFile } from '../../src/job/file.js';
import { resolveSpec } from '../../src/job/resolve.js';

const cwd = mkdtempSync(join(tmpdir(), 'cost-options-'));
writeFileSync(join(cwd, 'in.csv'), 'prompt\nx\n');
const ctx = { cwd, env: {} };

describe('--service-tier and --cache-system', () => {
  it.each([
    [{}, undefined, undefined],
    [{ 'service-tier': 'flex' }, 'flex', undefined],
    [{ 'service-tier': 'priority', 'cache-system': '' }, 'priority', '5m'],
    [{ 'cache-system': true }, undefined, '5m'],
    [{ 'cache-system': '1h' }, undefined, '1h'],
    [{ 'cache-system': false }, undefined, undefined],
  ])('%o gives tier %s, cache %s', (raw, tier, cache) => {
    const spec = resolveSpec({ input: 'in.csv', ...raw }, ctx);
    expect(spec.serviceTier).toBe(tier);
    expect(spec.cacheSystem).toBe(cache);
  });

  it.each([
    [{ 'service-tier': 'cheap' }, '--service-tier must be one of default, priority, flex, got "cheap"'],
    [{ 'cache-system': '2h' }, '--cache-system must be one of 5m, 1h, got "2h"'],
  ])('refuses %o, quoting the value', (raw, message) => {
    let error: unknown;
    try {
      resolveSpec({ input: 'in.csv', ...raw }, ctx);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RunBatchError);
    expect((error as RunBatchError).exitCode).toBe(2);
    expect((error as Error).message).toBe(message);
  });

  it('takes both as job-file keys', () => {
    const file = join(cwd, 'job.yaml');
    writeFileSync(file, 'input: in.csv\nservice-tier: flex\ncache-system: 1h\n');
    const spec = resolveSpec(readJobFile(file, 'job.yaml'), ctx);
    expect(spec).toMatchObject({ serviceTier: 'flex', cacheSystem: '1h' });
  });
});
