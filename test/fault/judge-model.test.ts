/**
 * --judge's promise tested as a state machine (fast-check): random sequences of what an operator
 * does between runs (edit, add and delete rows; reword the rubric; change the output file; kill -9
 * or SIGTERM at a random moment) drive the real CLI against one emulator. After every step:
 *   (a) answers paid <= distinct prompts asked + twice --concurrency at each kill (calls in flight
 *       and the commit group being gathered);
 *   (b) verdicts paid <= distinct (prompt, rubric) pairs asked + the judge calls in flight at each
 *       kill (the emulator answers a request the same each time, so a prompt's answer is fixed
 *       and the judge's request is fixed by the prompt and the rubric);
 *   (c) the exit code is one the docs give (0 clean, 3 after SIGTERM, none after kill -9);
 * and after a clean final run every row is in the results once, ok, with a verdict for today's
 * rubric, and a second run makes no call at all.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { addRows, deleteRow, editRow } from '../helpers/operator-rows.js';

const used = useEmulator({ latencyMs: 15 });
const SEEDS = 6;
const MAX_STEPS = 5;
const CONCURRENCY = 3;
const JUDGE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
/** Seeds that once failed: run every time. */
const REGRESSIONS: number[] = [];

type Action =
  | { kind: 'edit'; at: number }
  | { kind: 'delete'; at: number }
  | { kind: 'add' }
  | { kind: 'rubric' }
  | { kind: 'output' }
  | { kind: 'kill'; afterMs: number }
  | { kind: 'term'; afterMs: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('edit' as const), at: fc.nat(100) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(100) }),
  fc.constant({ kind: 'add' as const }),
  fc.constant({ kind: 'rubric' as const }),
  fc.constant({ kind: 'output' as const }),
  fc.record({ kind: fc.constant('kill' as const), afterMs: fc.integer({ min: 50, max: 900 }) }),
  fc.record({ kind: fc.constant('term' as const), afterMs: fc.integer({ min: 50, max: 900 }) }),
);

interface World {
  dir: string;
  rows: Array<{ id: string; prompt: string }>;
  next: number;
  rubric: number;
  output: string;
  outputs: number;
  prompts: Set<string>;
  pairs: Set<string>;
  kills: number;
}

function seen(model: string): number {
  const base = model.replace(/^(global|us|eu|apac)\./, '');
  const byModel = used.emulator.stats().byModel;
  return Object.entries(byModel).find(([id]) => id === model || id.endsWith(base))?.[1]?.ok ?? 0;
}

function writeInput(w: World): void {
  const lines = w.rows.map((r) => `${r.id},${r.prompt}`);
  writeFileSync(join(w.dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
  for (const r of w.rows) {
    w.prompts.add(r.prompt);
    w.pairs.add(`${r.prompt}\u0000${w.rubric}`);
  }
}

const args = (w: World) => [
  'in.csv',
  '-o',
  w.output,
  '-c',
  String(CONCURRENCY),
  '--judge',
  JUDGE,
  '--rubric',
  `Rubric ${w.rubric}: the answer is polite.`,
];

function check(w: World): void {
  // (a) and (b): a kill may lose what was in flight and the commit group being gathered (at most
  // --concurrency of each: src/run/commit-group.ts), answers and verdicts alike.
  expect(seen('global.anthropic.claude-haiku-4-5-20251001-v1:0')).toBeLessThanOrEqual(
    w.prompts.size + w.kills * 2 * CONCURRENCY,
  );
  expect(seen(JUDGE)).toBeLessThanOrEqual(w.pairs.size + w.kills * 2 * CONCURRENCY);
}

async function step(w: World, a: Action): Promise<void> {
  switch (a.kind) {
    case 'edit':
      editRow(w, a.at);
      break;
    case 'delete':
      deleteRow(w, a.at);
      break;
    case 'add':
      addRows(w);
      break;
    case 'rubric':
      w.rubric++;
      break;
    case 'output':
      w.output = `out${++w.outputs}.csv`;
      break;
    default:
      break;
  }
  writeInput(w);
  if (a.kind === 'kill' || a.kind === 'term') {
    const child = startCli(args(w), { cwd: w.dir, env: used.env() });
    await new Promise((resolve) => setTimeout(resolve, a.afterMs));
    child.process.kill(a.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
    const code = await child.exited;
    // (c) kill -9: no exit code; SIGTERM: 3, or 0 when it had finished, or the signal itself
    // when it came before Node ran the bin's first line.
    if (a.kind === 'kill') expect([null, 0]).toContain(code);
    else expect([0, 3, null]).toContain(code);
    w.kills++;
  } else {
    const result = await runCli(args(w), { cwd: w.dir, env: used.env() });
    expect(result.code, result.stderr).toBe(0);
  }
  check(w);
}

async function finalCheck(w: World): Promise<void> {
  writeInput(w);
  const result = await runCli(args(w), { cwd: w.dir, env: used.env() });
  expect(result.code, result.stderr).toBe(0);
  check(w);
  const records = parse(readFileSync(join(w.dir, w.output)), { columns: true }) as Array<
    Record<string, string>
  >;
  expect(records.map((r) => r.id)).toEqual(w.rows.map((r) => r.id));
  for (const r of records) {
    expect(r.status).toBe('ok');
    expect(r.judge_pass).not.toBe('');
    expect(r.judge_error).toBe('');
  }
  used.emulator.resetStats();
  const again = await runCli(args(w), { cwd: w.dir, env: used.env() });
  expect(again.code).toBe(0);
  expect(used.emulator.stats().requests).toBe(0);
}

async function scenario(actions: Action[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'judge-model-'));
  used.emulator.reset();
  const w: World = {
    dir,
    rows: Array.from({ length: 6 }, (_, i) => ({ id: `r${i + 1}`, prompt: `Question ${i + 1}` })),
    next: 7,
    rubric: 1,
    output: 'out0.csv',
    outputs: 0,
    prompts: new Set(),
    pairs: new Set(),
    kills: 0,
  };
  try {
    for (const a of actions) await step(w, a);
    await finalCheck(w);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('--judge as a state machine (model-based)', () => {
  const property = fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: MAX_STEPS }), scenario);

  it(`holds over ${SEEDS} random operator sequences`, { timeout: 300_000 }, async () => {
    await fc.assert(property, { numRuns: SEEDS, seed: 25, endOnFailure: true });
  });

  it.each(REGRESSIONS)('regression seed %i', { timeout: 120_000 }, async (seed) => {
    await fc.assert(property, { numRuns: 1, seed, endOnFailure: true });
  });
});
