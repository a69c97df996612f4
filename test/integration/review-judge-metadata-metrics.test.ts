/**
 * Review findings (helper R): the judge's calls carried no request metadata (--tag, run_id, row_id),
 * and --metrics-file left the judge's calls and cost out of run_batch_calls_total and
 * run_batch_cost_usd_total. Counted: the emulator's requestMetadata entries are answers + verdicts,
 * each verdict's carries the run's tags and its row's id; the metrics file's totals are the
 * summary's answers plus its judge.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { parseProm, sample } from '../helpers/prom.js';

const used = useEmulator();
afterEach(killStartedClis);

const JUDGE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';

describe('the judge in request metadata and metrics', () => {
  it('stamps every verdict call with the run metadata, and counts its calls and cost in --metrics-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-review-judge-meta-'));
    const rows = Array.from({ length: 5 }, (_, i) => `r${i + 1},Question ${i + 1}`);
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${rows.join('\n')}\n`);
    const env = { ...used.env(), RUN_BATCH_LEDGER: join(dir, 'ledger.db') };
    const args = ['in.csv', '-o', 'out.jsonl', '--judge', JUDGE, '--rubric', 'Pass when it answers.'];
    const run = await runCli([...args, '--tag', 'team=support', '--metrics-file', 'm.prom'], {
      cwd: dir,
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    const stats = (await (await fetch(`${used.emulator.url}/__emulator/stats`)).json()) as {
      requests: number;
      requestMetadata: Array<Record<string, string>>;
    };
    expect(stats.requests).toBe(10);
    expect(stats.requestMetadata.length).toBe(10); // 5 answers + 5 verdicts
    expect(stats.requestMetadata.every((m) => m.team === 'support' && typeof m.run_id === 'string')).toBe(
      true,
    );
    const perRow = new Map<string, number>();
    for (const m of stats.requestMetadata)
      perRow.set(m.row_id as string, (perRow.get(m.row_id as string) ?? 0) + 1);
    expect([...perRow.entries()].sort()).toEqual(Array.from({ length: 5 }, (_, i) => [`r${i + 1}`, 2]));

    const summary = JSON.parse(readFileSync(join(dir, 'out.jsonl.summary.json'), 'utf8'));
    expect(summary.judge.attempts).toBe(5);
    expect(summary.judge.costUsd).toBeGreaterThan(0);
    const prom = parseProm(readFileSync(join(dir, 'm.prom'), 'utf8'));
    expect(sample(prom, 'run_batch_calls_total', {})).toBe(summary.attempts + summary.judge.attempts);
    expect(sample(prom, 'run_batch_calls_total', {})).toBe(10);
    const pico = (usd: number) => Math.round(usd * 1e12);
    expect(pico(sample(prom, 'run_batch_cost_usd_total', {}) as number)).toBe(
      pico(summary.costUsd) + pico(summary.judge.costUsd),
    );
  });
});
