/**
 * Review finding (helper R): in a Parquet results file `judge_pass` and `judge_score` were VARCHAR.
 * They are BOOLEAN and DOUBLE, read by DuckDB as test/integration/parquet.test.ts reads the others,
 * and a rerun without --judge keeps them so typed, with the same values.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
afterEach(killStartedClis);

async function duck(sql: string): Promise<Array<Record<string, unknown>>> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

const JUDGE = [
  '--judge',
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  '--rubric',
  'Pass when it answers.',
];

describe('a Parquet results file with verdicts', () => {
  it('types judge_pass BOOLEAN and judge_score DOUBLE, and a rerun without --judge keeps them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-review-pq-judge-'));
    const rows = Array.from({ length: 6 }, (_, i) => `r${i + 1},Question ${i + 1}`);
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${rows.join('\n')}\n`);
    const env = { ...used.env(), RUN_BATCH_LEDGER: join(dir, 'ledger.db') };
    const out = join(dir, 'out.parquet');
    const first = await runCli(['in.csv', '-o', 'out.parquet', ...JUDGE], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(`${out}.summary.json`, 'utf8'));
    const check = async () => {
      const types = Object.fromEntries(
        (await duck(`DESCRIBE SELECT * FROM '${out}'`)).map((r) => [r.column_name, r.column_type]),
      );
      expect(types).toMatchObject({ judge_pass: 'BOOLEAN', judge_score: 'DOUBLE' });
      const [got] = await duck(
        `SELECT count(*) FILTER (WHERE judge_pass) AS passed, count(judge_score) AS scored,
           min(judge_score) AS lo, max(judge_score) AS hi FROM '${out}'`,
      );
      expect(Number(got?.passed)).toBe(summary.judge.passed);
      expect(Number(got?.scored)).toBe(6);
      expect(Number(got?.lo)).toBeGreaterThanOrEqual(0);
      expect(Number(got?.hi)).toBeLessThanOrEqual(1);
    };
    await check();
    const plain = await runCli(['in.csv', '-o', 'out.parquet'], { cwd: dir, env });
    expect(plain.code, plain.stderr).toBe(0);
    await check();
  });
});
