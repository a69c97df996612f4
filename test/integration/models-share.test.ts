/**
 * What several models at once share and what each keeps, counted on the emulator: one -c across
 * the models (peak in-flight), one --max-cost for the run, fail-fast stopping only the failing
 * model (the exit code the worst), and the refusals before any call (a `model` column, -o without
 * {model}).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { modelSlug } from '../../src/job/models.js';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

// Each call takes 40 ms, so calls of the three models overlap and -c is what bounds them.
const used = useEmulator({ latencyMs: 40 });
const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const LITE = 'us.amazon.nova-lite-v1:0';
const MICRO = 'us.amazon.nova-micro-v1:0';

type Row = Record<string, string>;
const rows = (path: string) => parse(readFileSync(path), { columns: true }) as Row[];
const run = (dir: string, args: string[]) => runCli(['in.csv', ...args], { cwd: dir, env: used.env() });
const out = (model: string) => `in.${modelSlug(model)}.results.csv`;

function input(count: number, extra = ''): string {
  const dir = workdir();
  const lines = Array.from(
    { length: count },
    (_, i) => `t${i + 1},Ticket ${i + 1}: my invoice is wrong${extra}`,
  );
  writeFileSync(join(dir, 'in.csv'), `id,prompt${extra ? ',model' : ''}\n${lines.join('\n')}\n`);
  return dir;
}

describe('several models share one -c', () => {
  it('never has more than -c calls in flight across the models, and fills it', async () => {
    const dir = input(24);
    const result = await run(dir, ['-m', [HAIKU, LITE, MICRO].join(','), '-c', '4']);
    expect(result.code, result.stderr).toBe(0);
    const stats = used.emulator.stats();
    expect(stats.requests).toBe(72);
    // Alone, each model's pool would run 4 at once: 12 together.
    expect(stats.peakInFlight).toBe(4);
    expect(result.stderr).toContain(
      'models    3 at once, sharing -c 4 (at most 4 calls were in flight together)',
    );
    for (const model of [HAIKU, LITE, MICRO]) expect(rows(join(dir, out(model)))).toHaveLength(24);
  }, 60_000);

  it('--max-cost is for the whole run: the models together spend no more than it', async () => {
    const dir = input(40);
    const maxCost = 0.004;
    const result = await run(dir, [
      '-m',
      `${HAIKU},${LITE}`,
      '--max-tokens',
      '40',
      '--max-cost',
      String(maxCost),
    ]);
    expect(result.code, result.stderr).toBe(3);
    const spent = [HAIKU, LITE]
      .flatMap((m) => rows(join(dir, out(m))))
      .reduce((s, r) => s + Number(r.cost_usd || 0), 0);
    // Each model alone would stop just short of the budget: twice it together.
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(maxCost);
    // Both models spent from it: a model whose next row did not fit waited for the other's calls.
    for (const model of [HAIKU, LITE])
      expect(rows(join(dir, out(model))).filter((r) => r.status === 'ok').length).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/stopped {3}.*budget/);
  }, 60_000);
});

describe('a failing model', () => {
  it('fail-fast stops only that model; the others finish; the exit code is the worst (3)', async () => {
    const dir = input(30);
    const bad = 'amazon.nova-nonexistent-v1:0';
    const result = await run(dir, ['-m', `${HAIKU},${bad},${LITE}`, '-c', '3']);
    expect(result.code, result.stderr).toBe(3);
    for (const model of [HAIKU, LITE]) {
      const file = rows(join(dir, out(model)));
      expect(file.map((r) => r.status)).toEqual(Array(30).fill('ok'));
      expect(JSON.parse(readFileSync(join(dir, `${out(model)}.summary.json`), 'utf8')).exitCode).toBe(0);
    }
    const failed = JSON.parse(readFileSync(join(dir, `${out(bad)}.summary.json`), 'utf8'));
    expect(failed.exitCode).toBe(3);
    expect(failed.stop.reason).toBe('fail-fast');
    expect(failed.rows.notRun).toBeGreaterThan(0);
    expect(result.stderr).toContain(`stopped   ${bad}: the first 5 rows all failed with ValidationException`);
  }, 60_000);
});

describe('refused before any call (exit 2)', () => {
  it('a "model" column in the input with several -m', async () => {
    const dir = input(3, `,${LITE}`);
    const result = await run(dir, ['-m', `${HAIKU},${LITE}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `run-batch: in.csv: has a "model" column (each row's model), but -m names 2 models (${HAIKU}, ${LITE}); run the models one at a time, or rename the column\n`,
    );
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('-o without {model}; a model named twice; an empty name', async () => {
    const dir = input(3);
    const one = await run(dir, ['-m', `${HAIKU},${LITE}`, '-o', 'res.csv']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--output res.csv names one results file, but -m names 2 models');
    const twice = await run(dir, ['-m', `${HAIKU},${HAIKU}`]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`--model names ${HAIKU} twice`);
    const empty = await run(dir, ['-m', `${HAIKU},,${LITE}`]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('has an empty model name');
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('-o with {model}', () => {
  it('names each model its file, in the format of its extension', async () => {
    const dir = input(5);
    const result = await run(dir, ['-m', `${HAIKU},${LITE}`, '-o', 'answers-{model}.jsonl']);
    expect(result.code, result.stderr).toBe(0);
    for (const model of [HAIKU, LITE]) {
      const path = join(dir, `answers-${modelSlug(model)}.jsonl`);
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      expect(lines.map((l) => JSON.parse(l).model)).toEqual(Array(5).fill(model));
      expect(existsSync(`${path}.summary.json`)).toBe(true);
    }
    // One model and {model}: filled in all the same.
    const single = await run(dir, ['-m', LITE, '-o', 'one-{model}.csv']);
    expect(single.code, single.stderr).toBe(0);
    expect(rows(join(dir, `one-${modelSlug(LITE)}.csv`))).toHaveLength(5);
  }, 60_000);
});
