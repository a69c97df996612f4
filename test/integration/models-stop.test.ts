/**
 * Stopping several models at once loses and re-pays nothing: SIGINT stops every model (exit 3),
 * the rerun finishes them with exactly the calls left (every call counted once over both runs);
 * after SIGKILL, the rerun pays again at most what was in flight (-c across the models) and the
 * answers of the last turn not yet committed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { modelSlug } from '../../src/job/models.js';
import { killStartedClis, ledgerEnv, runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ latencyMs: 30 }, 'stats');
const MODELS = ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'us.amazon.nova-lite-v1:0'] as const;
const ROWS = 60;
const C = 4;

afterEach(killStartedClis);

function input(): string {
  const dir = workdir();
  const lines = Array.from({ length: ROWS }, (_, i) => `t${i + 1},Ticket ${i + 1}: my invoice is wrong`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
  return dir;
}

const args = ['in.csv', '-m', MODELS.join(','), '-c', String(C)];
const okRows = (dir: string) =>
  MODELS.map(
    (m) =>
      (
        parse(readFileSync(join(dir, `in.${modelSlug(m)}.results.csv`)), { columns: true }) as Array<
          Record<string, string>
        >
      ).filter((r) => r.status === 'ok').length,
  );

describe('stopping several models', () => {
  it.each(['SIGINT', 'SIGKILL'] as const)(
    '%s mid-run, then a rerun: every row answered, nothing re-paid beyond the calls in flight',
    async (signal) => {
      const dir = input();
      const env = { ...used.env(), ...ledgerEnv() };
      used.emulator.resetStats();
      const child = startCli(args, { cwd: dir, env });
      await waitFor(() => used.emulator.stats().requests >= 30, '30 calls', { child });
      child.process.kill(signal);
      const end = await child.ended;
      if (signal === 'SIGINT') expect(end.code, end.stderr).toBe(3);
      const first = used.emulator.stats().requests;
      expect(first).toBeLessThan(ROWS * MODELS.length);
      const again = await runCli(args, { cwd: dir, env });
      expect(again.code, again.stderr).toBe(0);
      expect(okRows(dir)).toEqual([ROWS, ROWS]);
      const total = used.emulator.stats().requests;
      // SIGINT lets the calls in flight finish and be written. SIGKILL loses those in flight (at most
      // -c across the models) and the answers of the commit groups being gathered, not yet
      // committed (src/run/commit-group.ts: -c across the models at most).
      if (signal === 'SIGINT') expect(total).toBe(ROWS * MODELS.length);
      else {
        expect(total).toBeGreaterThanOrEqual(ROWS * MODELS.length);
        expect(total).toBeLessThanOrEqual(ROWS * MODELS.length + 2 * C);
      }
    },
    60_000,
  );
});
