/**
 * A Parquet results file under what an operator does between runs, as a state machine
 * (fast-check): edit, delete, add and reorder input rows, add a typed column, --fresh, kill -9 or
 * SIGTERM at a random moment, with a Parquet input and a Parquet output, against one emulator.
 * After every step:
 *   (a) calls paid <= distinct prompts asked + the calls in flight at each kill (--concurrency);
 *   (b) the results file is absent or a whole Parquet file DuckDB reads (never half-written);
 * and after a clean final run:
 *   (c) every current input row is in it once, in input order, ok, answering its current request.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../src/job/resolve.js';
import { planRows } from '../../src/plan/plan.js';
import { runCli, startCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { addRows, deleteRow, editRow } from '../helpers/operator-rows.js';

const used = useEmulator({ latencyMs: 15 });
const SEEDS = 5;
const MAX_STEPS = 5;
const CONCURRENCY = 4;

type Action =
  | { kind: 'edit'; at: number }
  | { kind: 'delete'; at: number }
  | { kind: 'add' }
  | { kind: 'reorder' }
  | { kind: 'column' }
  | { kind: 'fresh' }
  | { kind: 'kill'; afterMs: number }
  | { kind: 'term'; afterMs: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('edit' as const), at: fc.nat(100) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(100) }),
  fc.constant({ kind: 'add' as const }),
  fc.constant({ kind: 'reorder' as const }),
  fc.constant({ kind: 'column' as const }),
  fc.constant({ kind: 'fresh' as const }),
  fc.record({ kind: fc.constant('kill' as const), afterMs: fc.integer({ min: 300, max: 1500 }) }),
  fc.record({ kind: fc.constant('term' as const), afterMs: fc.integer({ min: 300, max: 1500 }) }),
);

interface World {
  dir: string;
  rows: Array<{ id: string; prompt: string }>;
  next: number;
  column: boolean;
  asked: Set<string>;
  allowance: number;
}

function writeInput(w: World): void {
  const columnData = [
    { name: 'id', data: w.rows.map((r) => r.id), type: 'STRING' as const },
    { name: 'prompt', data: w.rows.map((r) => r.prompt), type: 'STRING' as const },
    ...(w.column ? [{ name: 'rank', data: w.rows.map((_, i) => i), type: 'INT32' as const }] : []),
  ];
  parquetWriteFile({ filename: join(w.dir, 'in.parquet'), columnData });
}

const args = (extra: string[] = []) => [
  'in.parquet',
  '-o',
  'out.parquet',
  '-c',
  String(CONCURRENCY),
  ...extra,
];

/** The results file's (id, status, request_hash) in file order; undefined when there is none. */
async function results(w: World): Promise<Array<Record<string, unknown>> | undefined> {
  const path = join(w.dir, 'out.parquet');
  if (!existsSync(path)) return undefined;
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const read = await connection.runAndReadAll(`SELECT id, status, request_hash FROM '${path}'`);
    return read.getRowObjectsJson();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

async function step(w: World, a: Action): Promise<void> {
  let extra: string[] = [];
  switch (a.kind) {
    case 'edit':
      editRow(w, a.at);
      break;
    case 'delete':
      deleteRow(w, a.at);
      break;
    case 'add':
      addRows(w, 10);
      break;
    case 'reorder':
      w.rows.reverse();
      break;
    case 'column':
      w.column = !w.column;
      break;
    case 'fresh':
      extra = ['--fresh'];
      break;
    default:
      break;
  }
  writeInput(w);
  for (const r of w.rows) w.asked.add(r.prompt);
  if (a.kind === 'kill' || a.kind === 'term') {
    const child = startCli(args(), { cwd: w.dir, env: used.env() });
    await new Promise((resolve) => setTimeout(resolve, a.afterMs));
    child.process.kill(a.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
    const code = await child.exited;
    if (a.kind === 'kill') expect([null, 0]).toContain(code);
    else expect([0, 3, null]).toContain(code);
    w.allowance += 2 * CONCURRENCY; // calls in flight and the commit group being gathered
  } else {
    const result = await runCli(args(extra), { cwd: w.dir, env: used.env() });
    expect(result.code, result.stderr).toBe(0);
  }
  // (a)
  expect(used.emulator.stats().requests).toBeLessThanOrEqual(w.allowance + w.asked.size);
  // (b) DuckDB reads it whole, or there is none yet.
  await results(w);
}

async function finalCheck(w: World): Promise<void> {
  writeInput(w);
  const result = await runCli(args(), { cwd: w.dir, env: used.env() });
  expect(result.code, result.stderr).toBe(0);
  expect(used.emulator.stats().requests).toBeLessThanOrEqual(w.allowance + w.asked.size);
  const spec = resolveSpec({ input: 'in.parquet' }, { cwd: w.dir, env: {} });
  const plan = await planRows(spec, { path: join(w.dir, 'in.parquet'), label: 'in.parquet' });
  const records = (await results(w)) ?? [];
  // (c)
  expect(records.map((r) => r.id)).toEqual(w.rows.map((r) => r.id));
  records.forEach((r, i) => {
    expect(r.status).toBe('ok');
    expect(r.request_hash).toBe(plan.fingerprintAt(i));
  });
  expect(existsSync(join(w.dir, 'out.parquet.journal'))).toBe(false);
}

async function scenario(actions: Action[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parquet-model-'));
  used.emulator.reset();
  const w: World = {
    dir,
    rows: Array.from({ length: 40 }, (_, i) => ({ id: `r${i + 1}`, prompt: `Question ${i + 1}` })),
    next: 41,
    column: false,
    asked: new Set(),
    allowance: 0,
  };
  try {
    for (const a of actions) await step(w, a);
    await finalCheck(w);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a Parquet results file as a state machine (model-based)', () => {
  it(`holds over ${SEEDS} random operator sequences`, { timeout: 400_000 }, async () => {
    const property = fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: MAX_STEPS }), scenario);
    await fc.assert(property, { numRuns: SEEDS, seed: 26, endOnFailure: true });
  });
});
