/**
 * Parquet in and out, end to end: inputs written by DuckDB (snappy and zstd, nested columns,
 * NULLs) run with typed template values; the results file DuckDB reads back with the types the
 * docs promise, its DECIMAL cost exactly the CSV's; a kill -9 mid-run and a rerun pay no answer
 * twice; a truncated input is exit 2; report and compare read it as they read a CSV.
 */
import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ latencyMs: 20 });
afterEach(killStartedClis);

/** Runs SQL in an in-memory DuckDB; returns the last statement's rows as JSON values. */
async function duck(...statements: string[]): Promise<Array<Record<string, unknown>>> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  let rows: Array<Record<string, unknown>> = [];
  try {
    for (const sql of statements) rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return rows;
}

/** A Parquet input written by DuckDB: INT, DOUBLE, BOOLEAN, VARCHAR, a STRUCT, a LIST, NULLs. */
async function writeInput(path: string, rows: number, codec: 'snappy' | 'zstd'): Promise<void> {
  await duck(
    `COPY (SELECT 'row-' || i AS id, i::INTEGER AS n, i * 1.5 AS d, i % 2 = 0 AS even,
       'Question ' || i AS prompt, {'a': i, 'tags': ['x', 'y']} AS meta, [i, i + 1] AS pair,
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END AS note
     FROM range(1, ${rows + 1}) t(i) ORDER BY i)
     TO '${path}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 16)`,
  );
}

// Prices with 9 decimals per 1,000 tokens: row costs with 12 decimals, which a DOUBLE would not
// keep exactly and DECIMAL(18, 12) must.
const PRICES =
  'models:\n  global.anthropic.claude-haiku-4-5-20251001-v1:0:\n    input: 0.000123457\n    output: 0.001234567\n';

const env = () => used.env();
const TEMPLATE = '{{#even}}EVEN{{/even}}{{^even}}ODD{{/even}} {{prompt}} a={{meta.a}} pair={{pair}} n={{n}}';

describe('Parquet input', () => {
  for (const codec of ['snappy', 'zstd'] as const) {
    it(`reads a DuckDB file (${codec}) with typed values for templates`, async () => {
      const dir = workdir();
      await writeInput(join(dir, 'in.parquet'), 40, codec);
      const shown = await runCli(['show-request', 'in.parquet', '--row', 'row-2', '--template', TEMPLATE], {
        cwd: dir,
        env: env(),
      });
      expect(shown.code).toBe(0);
      // A BOOLEAN stays a boolean (a "false" string would be truthy), a struct an object, a list an array.
      expect(shown.stdout).toContain('EVEN Question 2 a=2 pair=[2,3] n=2');
      const odd = await runCli(['show-request', 'in.parquet', '--row', 'row-3', '--template', TEMPLATE], {
        cwd: dir,
        env: env(),
      });
      expect(odd.stdout).toContain('ODD Question 3 a=3 pair=[3,4] n=3');
    });
  }

  it('refuses a truncated file with exit 2, naming it', async () => {
    const dir = workdir();
    const path = join(dir, 'cut.parquet');
    await writeInput(path, 40, 'zstd');
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const result = await runCli(['cut.parquet', '--template', '{{prompt}}'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cut\.parquet: cannot be read as Parquet/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(used.emulator.stats().ok).toBe(0);
  });

  it('estimates a Parquet input', async () => {
    const dir = workdir();
    await writeInput(join(dir, 'in.parquet'), 40, 'snappy');
    const result = await runCli(['estimate', 'in.parquet', '--template', '{{prompt}}', '--format', 'json'], {
      cwd: dir,
      env: env(),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).rows).toBe(40);
  });
});

describe('Parquet output', () => {
  it('is read back by DuckDB: every input column, typed result fields, the CSV cost exactly, in order', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'prices.yaml'), PRICES);
    await writeInput(join(dir, 'in.parquet'), 40, 'zstd');
    const args = ['in.parquet', '--template', TEMPLATE, '--pricing', 'prices.yaml', '-c', '4'];
    const parquetRun = await runCli(args, { cwd: dir, env: env() });
    expect(parquetRun.code, parquetRun.stderr).toBe(0);
    const out = join(dir, 'in.results.parquet');
    expect(existsSync(out)).toBe(true);
    expect(existsSync(`${out}.journal`)).toBe(false);
    const csvRun = await runCli([...args, '-o', 'in.results.csv'], { cwd: dir, env: env() });
    expect(csvRun.code, csvRun.stderr).toBe(0);

    const types = Object.fromEntries(
      (await duck(`DESCRIBE SELECT * FROM '${out}'`)).map((r) => [r.column_name, r.column_type]),
    );
    expect(types).toMatchObject({
      id: 'VARCHAR',
      n: 'INTEGER',
      d: 'DOUBLE',
      even: 'BOOLEAN',
      prompt: 'VARCHAR',
      meta: 'VARCHAR',
      pair: 'VARCHAR',
      note: 'VARCHAR',
      input_id: 'VARCHAR',
      status: 'VARCHAR',
      input_tokens: 'BIGINT',
      output_tokens: 'BIGINT',
      total_tokens: 'BIGINT',
      cost_usd: 'DECIMAL(18,12)',
      paid_usd: 'DECIMAL(18,12)',
      latency_ms: 'BIGINT',
      finished_at: 'TIMESTAMP WITH TIME ZONE',
      reused: 'BOOLEAN',
    });
    const rows = await duck(
      `SELECT input_id, id, n, d, even, meta, pair, note, status, cost_usd::VARCHAR AS cost FROM '${out}'`,
    );
    expect(rows.map((r) => r.input_id)).toEqual(Array.from({ length: 40 }, (_, i) => `row-${i + 1}`));
    expect(rows[2]).toMatchObject({ n: 3, d: 4.5, even: false, note: null, status: 'ok' });
    expect(JSON.parse(String(rows[1]?.meta))).toEqual({ a: 2, tags: ['x', 'y'] });
    expect(JSON.parse(String(rows[1]?.pair))).toEqual([2, 3]);

    const csv = await duck(
      `SELECT cost_usd::VARCHAR AS cost FROM read_csv('${join(dir, 'in.results.csv')}', all_varchar=true)`,
    );
    const exact = (text: unknown) =>
      String(text)
        .replace(/(\.\d*?)0+$/, '$1')
        .replace(/\.$/, '');
    expect(rows.map((r) => exact(r.cost))).toEqual(csv.map((r) => String(r.cost)));
    // Twelve decimals survive: a DOUBLE round trip would not be asked to, a DECIMAL must.
    expect(csv.some((r) => String(r.cost).split('.')[1]?.length === 12)).toBe(true);
  });

  it('resumes after kill -9 mid-run with no answer paid twice, and a finished file pays nothing', async () => {
    const dir = workdir();
    const rows = 300;
    const concurrency = 4;
    await writeInput(join(dir, 'in.parquet'), rows, 'snappy');
    const out = join(dir, 'in.results.parquet');
    const journal = `${out}.journal`;
    // --no-ledger: what is kept is what the results file holds, nothing else.
    const args = ['in.parquet', '--template', '{{prompt}}', '-c', String(concurrency), '--no-ledger'];
    const lines = () => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').length - 1 : 0);
    const child = startCli(args, { cwd: dir, env: env() });
    await waitFor(() => lines() >= 100, '100 rows journaled', { child });
    child.process.kill('SIGKILL');
    await child.exited.catch(() => null);
    // The file is never half-written: none yet, the rows are in the journal.
    expect(existsSync(out)).toBe(false);
    const last = await runCli(args, { cwd: dir, env: env() });
    expect(last.code, last.stderr).toBe(0);
    const ids = await duck(`SELECT input_id, status FROM '${out}'`);
    expect(ids.map((r) => r.input_id)).toEqual(Array.from({ length: rows }, (_, i) => `row-${i + 1}`));
    expect(ids.every((r) => r.status === 'ok')).toBe(true);
    const paid = used.emulator.stats().ok;
    expect(paid - rows).toBeLessThanOrEqual(concurrency);

    const again = await runCli(args, { cwd: dir, env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(used.emulator.stats().ok).toBe(paid);
    expect(existsSync(journal)).toBe(false);
    expect((await duck(`SELECT count(*)::INTEGER AS n FROM '${out}'`))[0]?.n).toBe(rows);
  });

  it('gives report and compare the same totals as the CSV of the same run', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'prices.yaml'), PRICES);
    await writeInput(join(dir, 'in.parquet'), 30, 'snappy');
    const args = ['in.parquet', '--template', '{{prompt}}', '--pricing', 'prices.yaml', '--no-ledger'];
    expect((await runCli(args, { cwd: dir, env: env() })).code).toBe(0);
    expect((await runCli([...args, '-o', 'in.results.csv'], { cwd: dir, env: env() })).code).toBe(0);
    const report = async (file: string) => {
      const r = await runCli(['report', file, '--pricing', 'prices.yaml', '--format', 'json'], {
        cwd: dir,
        env: env(),
      });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { total: Record<string, unknown> };
    };
    const [fromParquet, fromCsv] = [await report('in.results.parquet'), await report('in.results.csv')];
    expect(fromParquet.total).toEqual(fromCsv.total);
    expect(fromParquet.total).toMatchObject({ rows: 30 });
    const compare = await runCli(['compare', 'in.results.parquet', 'in.results.csv', '--format', 'json'], {
      cwd: dir,
      env: env(),
    });
    expect(compare.code, compare.stderr).toBe(0);
    const [a, b] = (JSON.parse(compare.stdout) as { models: Array<Record<string, unknown>> }).models;
    // Latency is each run's own; what the rows hold (tokens, costs) is the same.
    const same = (m: Record<string, unknown> = {}) => ({
      rows: m.rows,
      ok: m.ok,
      cost_usd: m.cost_usd,
      tokens_in: m.tokens_in,
      tokens_out: m.tokens_out,
    });
    expect(same(a)).toEqual(same(b));
    expect(same(a).rows).toBe(30);
  });
});
