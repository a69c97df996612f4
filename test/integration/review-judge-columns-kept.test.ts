/**
 * Review finding (helper R): judge.md says "A later run without --judge keeps the columns and
 * their values". A CSV results file does; a Parquet or JSONL one loses every judge_* field (and
 * expected/match) on a plain rerun, so `report` no longer counts the verdicts this file paid for
 * (`judge_usd` goes from the judge's cost to nothing).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
afterEach(killStartedClis);

const JUDGE = [
  '--judge',
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  '--rubric',
  'Pass when it answers.',
];
const input = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-review-judge-'));
  const rows = Array.from({ length: 6 }, (_, i) => `r${i + 1},Question ${i + 1},yes`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt,label\n${rows.join('\n')}\n`);
  return { dir, env: { ...used.env(), RUN_BATCH_LEDGER: join(dir, 'ledger.db') } };
};
const judgeUsd = async (dir: string, env: Record<string, string>, file: string): Promise<number> => {
  const report = await runCli(['report', file, '--format', 'json'], { cwd: dir, env });
  expect(report.code).toBe(0);
  return Number((JSON.parse(report.stdout) as { total: { judge_usd?: number } }).total.judge_usd ?? 0);
};

describe.each(['out.csv', 'out.parquet', 'out.jsonl'])('a rerun without --judge on %s', (out) => {
  it('keeps the verdicts and the judge spend', async () => {
    const { dir, env } = input();
    const first = await runCli(['in.csv', '-o', out, '--expect', 'label', ...JUDGE], { cwd: dir, env });
    expect(first.code).toBe(0);
    const paid = await judgeUsd(dir, env, out);
    expect(paid).toBeGreaterThan(0);
    const plain = await runCli(['in.csv', '-o', out], { cwd: dir, env });
    expect(plain.code).toBe(0);
    expect(await judgeUsd(dir, env, out)).toBe(paid); // fails for .parquet and .jsonl: 0
  });
});
