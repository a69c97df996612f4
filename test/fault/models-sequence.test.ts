/**
 * Several models at once as a state machine (fast-check): random sequences of what an operator
 * does between runs of `-m a,b[,c]` (edit, add or delete rows; add or drop a model; kill -9 or
 * SIGTERM at a random moment) drive the real CLI against one emulator, every model's run sharing
 * one ledger in one process. After every step:
 *   (a) calls paid <= distinct (model, prompt) requests asked + what each kill could leave unpaid
 *       for (the calls in flight across the models and the last turn's answers: 2 x -c);
 *   (b) after a clean final run, each current model's results file holds every current row once,
 *       in input order, ok, answered by that model;
 *   (c) the exit code is one the docs give for the step (0 clean, 3 after SIGTERM, killed by -9).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelSlug } from '../../src/job/models.js';
import { runCli, startCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ latencyMs: 15 });
const SEEDS = 5;
const MAX_STEPS = 5;
const CONCURRENCY = 3;
const POOL = [
  'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  'us.amazon.nova-lite-v1:0',
  'us.amazon.nova-micro-v1:0',
] as const;

type Action =
  | { kind: 'edit'; at: number }
  | { kind: 'delete'; at: number }
  | { kind: 'add' }
  | { kind: 'models'; pick: number }
  | { kind: 'kill'; afterMs: number }
  | { kind: 'term'; afterMs: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('edit' as const), at: fc.nat(100) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(100) }),
  fc.constant({ kind: 'add' as const }),
  // Which of the pool's models run: any two or all three (a bit mask of at least two bits).
  fc.record({ kind: fc.constant('models' as const), pick: fc.constantFrom(3, 5, 6, 7) }),
  fc.record({ kind: fc.constant('kill' as const), afterMs: fc.integer({ min: 50, max: 800 }) }),
  fc.record({ kind: fc.constant('term' as const), afterMs: fc.integer({ min: 50, max: 800 }) }),
);

interface World {
  dir: string;
  rows: Array<{ id: string; prompt: string }>;
  next: number;
  models: string[];
  /** Every (model, prompt) ever asked. */
  asked: Set<string>;
  allowance: number;
}

const args = (w: World) => [
  'in.csv',
  '-m',
  w.models.join(','),
  '-c',
  String(CONCURRENCY),
  '--ledger',
  join(w.dir, 'ledger.db'),
];

function writeInput(w: World): void {
  const lines = w.rows.map((r) => `${r.id},${r.prompt}`);
  writeFileSync(join(w.dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
  for (const model of w.models) for (const r of w.rows) w.asked.add(`${model}\u0000${r.prompt}`);
}

async function step(w: World, a: Action): Promise<void> {
  if (a.kind === 'edit' && w.rows.length > 0) {
    const row = w.rows[a.at % w.rows.length] as World['rows'][number];
    row.prompt = `${row.prompt} (edited)`;
  } else if (a.kind === 'delete' && w.rows.length > 1) w.rows.splice(a.at % w.rows.length, 1);
  else if (a.kind === 'add') w.rows.push({ id: `r${w.next}`, prompt: `Question ${w.next++}` });
  else if (a.kind === 'models') w.models = POOL.filter((_, i) => a.pick & (1 << i));
  writeInput(w);
  if (a.kind === 'kill' || a.kind === 'term') {
    const child = startCli(args(w), { cwd: w.dir, env: used.env() });
    await new Promise((resolve) => setTimeout(resolve, a.afterMs));
    child.process.kill(a.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
    const code = await child.exited;
    if (a.kind === 'kill') expect([null, 0]).toContain(code);
    else expect([0, 3, null]).toContain(code);
    w.allowance += 2 * CONCURRENCY;
  } else {
    const result = await runCli(args(w), { cwd: w.dir, env: used.env() });
    expect(result.code, result.stderr).toBe(0);
  }
  expect(used.emulator.stats().requests).toBeLessThanOrEqual(w.asked.size + w.allowance);
}

async function finalCheck(w: World): Promise<void> {
  writeInput(w);
  const result = await runCli(args(w), { cwd: w.dir, env: used.env() });
  expect(result.code, result.stderr).toBe(0);
  expect(used.emulator.stats().requests).toBeLessThanOrEqual(w.asked.size + w.allowance);
  for (const model of w.models) {
    const path = join(w.dir, `in.${modelSlug(model)}.results.csv`);
    const records = parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => r.id)).toEqual(w.rows.map((r) => r.id));
    expect(records.every((r) => r.status === 'ok' && r.model === model)).toBe(true);
    expect(records.map((r) => r.prompt)).toEqual(w.rows.map((r) => r.prompt));
  }
}

async function scenario(actions: Action[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'models-sequence-'));
  used.emulator.reset();
  const w: World = {
    dir,
    rows: Array.from({ length: 8 }, (_, i) => ({ id: `r${i + 1}`, prompt: `Question ${i + 1}` })),
    next: 9,
    models: [POOL[0], POOL[1]],
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

describe('several models at once as a state machine (model-based)', () => {
  it(`holds over ${SEEDS} random operator sequences`, { timeout: 400_000 }, async () => {
    const property = fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: MAX_STEPS }), scenario);
    await fc.assert(property, { numRuns: SEEDS, seed: 25, endOnFailure: true });
  });
});
