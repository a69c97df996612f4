/**
 * Issue 26's "Done when": Bedrock from the emulator, S3 from moto. A 10,000-row Parquet input in
 * S3 runs to a Parquet object in S3 that DuckDB reads back with every input column, the typed
 * result fields, one row per input row in order; `report`, `compare` and `estimate` read the S3
 * objects as they read local files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';
import { machine, makeBucket, s3At } from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const used = useEmulator();
let moto: Moto | undefined;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(() => moto?.stop());

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

describe('S3 and Parquet', () => {
  it('runs a 10,000-row Parquet object from S3 to a Parquet object DuckDB reads back typed and in order', async () => {
    const rows = Number(process.env.S3_PARQUET_ROWS ?? 10_000);
    const s3 = s3At((moto as Moto).url);
    await makeBucket(s3, 'pqb');
    const m = machine((moto as Moto).url, used.env());
    const local = join(m.dir, 'in.parquet');
    await duck(
      `COPY (SELECT 'row-' || i AS id, i::INTEGER AS n, i % 2 = 0 AS even, 'Question ' || i AS prompt
       FROM range(1, ${rows + 1}) t(i) ORDER BY i) TO '${local}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
    const { readFileSync } = await import('node:fs');
    await s3.send(new PutObjectCommand({ Bucket: 'pqb', Key: 'in.parquet', Body: readFileSync(local) }));
    const run = await runCli(
      ['s3://pqb/in.parquet', '-o', 's3://pqb/out.parquet', '--template', '{{prompt}}', '-c', '32'],
      { cwd: m.dir, env: m.env, deadlineMs: 420_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const stats = (await (await fetch(`${used.emulator.url}/__emulator/stats`)).json()) as {
      requests: number;
    };
    expect(stats.requests, run.stderr).toBe(rows);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'pqb', Key: 'out.parquet' }));
    const out = join(m.dir, 'out.parquet');
    writeFileSync(
      out,
      await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const types = Object.fromEntries(
      (await duck(`DESCRIBE SELECT * FROM '${out}'`)).map((r) => [r.column_name, r.column_type]),
    );
    expect(types).toMatchObject({
      id: 'VARCHAR',
      n: 'INTEGER',
      even: 'BOOLEAN',
      prompt: 'VARCHAR',
      status: 'VARCHAR',
      input_tokens: 'BIGINT',
      output_tokens: 'BIGINT',
      cost_usd: 'DECIMAL(18,12)',
      finished_at: 'TIMESTAMP WITH TIME ZONE',
    });
    const [counts] = await duck(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, sum((status = 'ok')::INTEGER)::INTEGER AS ok FROM '${out}'`,
    );
    expect(counts).toEqual({ n: rows, ids: rows, ok: rows });
    const order = await duck(
      `SELECT n FROM (SELECT n, row_number() OVER () AS r FROM '${out}') WHERE n <> r`,
    );
    expect(order).toEqual([]);

    // report, compare and estimate read the objects in S3.
    const report = await runCli(['report', 's3://pqb/out.parquet', '--format', 'json'], {
      cwd: m.dir,
      env: m.env,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('s3://pqb/out.parquet');
    expect(JSON.stringify(JSON.parse(report.stdout))).toContain(`"rows":${rows}`);
    const compare = await runCli(['compare', 's3://pqb/out.parquet', '--format', 'json'], {
      cwd: m.dir,
      env: m.env,
    });
    expect(compare.code, compare.stderr).toBe(0);
    const estimate = await runCli(
      ['estimate', 's3://pqb/in.parquet', '--template', '{{prompt}}', '--format', 'json', '--no-reuse'],
      {
        cwd: m.dir,
        env: m.env,
      },
    );
    expect(estimate.code, estimate.stderr).toBe(0);
    expect(JSON.parse(estimate.stdout).rows).toBe(rows);
  }, 480_000);
});
