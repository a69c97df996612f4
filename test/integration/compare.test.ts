/**
 * `run-batch compare` over real runs on the emulator: two models on the same 40 labelled tickets,
 * a `match` column laid into each results file (the scorer is another change), and the figures
 * checked against ones computed here from the files and the price table's own numbers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import prices from '../../src/cost/prices.json' with { type: 'json' };
import { readJsonl, runCli, workdir } from '../helpers/cli.js';

const MODELS = ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'us.amazon.nova-pro-v1:0'] as const;
const BASE = ['anthropic.claude-haiku-4-5-20251001-v1:0', 'amazon.nova-pro-v1:0'] as const;
const FILES = ['haiku.results.jsonl', 'nova.results.jsonl'] as const;
/** Every k-th row is marked right: accuracy 1/k over the 40 rows, known before any code runs. */
const EVERY = [2, 4] as const;

/** The price table's numbers as this test reads them (USD per 1,000 tokens). */
interface Price {
  input: number;
  output: number;
  batchInput: number | null;
  batchOutput: number | null;
  flexInput?: number | null;
  flexOutput?: number | null;
}

let dir: string;
/** One ledger for the whole file (each test has its own by default), so the reuse test finds the answers. */
const ledger = () => ({ RUN_BATCH_LEDGER: join(dir, 'ledger.db') });
let records: Array<Record<string, unknown>>[];

beforeAll(async () => {
  dir = workdir('tickets-labelled.csv');
  const lines = readFileSync(join(dir, 'tickets-labelled.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'sample.csv'), `${lines.slice(0, 41).join('\n')}\n`);
  records = [];
  for (const [i, model] of MODELS.entries()) {
    const out = FILES[i] as string;
    const run = await runCli(
      ['sample.csv', '--emulate', '-m', model, '--template', 'Classify: {{body}}', '-o', out],
      {
        cwd: dir,
        env: ledger(),
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const rows = readJsonl(join(dir, out)).map((r, n) => ({ ...r, match: n % (EVERY[i] as number) === 0 }));
    writeFileSync(join(dir, out), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    records.push(rows);
  }
}, 60_000);

const json = async (...args: string[]) => {
  const result = await runCli(['compare', ...FILES, '--format', 'json', ...args], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as {
    full_rows: number | null;
    models: Array<Record<string, number | string | null>>;
  };
};

describe('run-batch compare', () => {
  it('puts one line per file with rows, accuracy and the cost of its tokens at the model prices', async () => {
    const c = await json('--input', 'tickets-labelled.csv');
    expect(c.full_rows).toBe(300);
    expect(c.models.map((m) => m.model)).toEqual([...MODELS]);
    for (const [i, line] of c.models.entries()) {
      const rows = records[i] ?? [];
      const price = (prices.models as unknown as Record<string, Price>)[BASE[i] as string] as Price;
      const tokensIn = rows.reduce((s, r) => s + Number(r.input_tokens), 0);
      const tokensOut = rows.reduce((s, r) => s + Number(r.output_tokens), 0);
      expect([line.rows, line.ok, line.tokens_in, line.tokens_out]).toEqual([40, 40, tokensIn, tokensOut]);
      expect(line.accuracy).toBe(rows.filter((r) => r.match === true).length / 40);
      expect(line.accuracy).toBe(1 / (EVERY[i] as number));
      const cost = (tokensIn * price.input + tokensOut * price.output) / 1000;
      expect(line.cost_usd).toBeCloseTo(cost, 12);
      expect(line.cost_per_correct_usd).toBeCloseTo(cost / (40 / (EVERY[i] as number)), 12);
      // Full rows x the mean tokens per row x each mode's prices.
      const at = (input: number | null | undefined, output: number | null | undefined) =>
        input == null || output == null
          ? null
          : (300 * ((tokensIn / 40) * input + (tokensOut / 40) * output)) / 1000;
      expect(line.projected_on_demand_usd).toBeCloseTo(at(price.input, price.output) as number, 10);
      expect(line.projected_batch_usd).toBeCloseTo(at(price.batchInput, price.batchOutput) as number, 10);
      const flex = at(price.flexInput, price.flexOutput);
      if (flex === null) expect(line.projected_flex_usd).toBeNull();
      else expect(line.projected_flex_usd).toBeCloseTo(flex, 10);
      const latencies = rows.map((r) => Number(r.latency_ms)).sort((a, b) => a - b);
      expect(line.latency_p50_ms).toBe(latencies[19]); // rank ceil(0.5 x 40) = 20
      expect(line.latency_p95_ms).toBe(latencies[37]); // rank ceil(0.95 x 40) = 38
    }
  });

  it('prices a row reused from the ledger as what it would cost, though it paid nothing', async () => {
    const again = await runCli(
      [
        'sample.csv',
        '--emulate',
        '-m',
        MODELS[1],
        '--template',
        'Classify: {{body}}',
        '-o',
        'again.results.csv',
      ],
      { cwd: dir, env: ledger() },
    );
    expect(again.code, again.stderr).toBe(0);
    const text = readFileSync(join(dir, 'again.results.csv'), 'utf8');
    expect(text).toContain(',true,0'); // reused, paid_usd 0
    const result = await runCli(
      ['compare', FILES[1], 'again.results.csv', '--format', 'json', '--rows', '1000'],
      {
        cwd: dir,
      },
    );
    const [first, reused] = JSON.parse(result.stdout).models;
    expect(reused.cost_usd).toBe(first.cost_usd);
    expect(reused.cost_usd).toBeGreaterThan(0);
    expect(reused.latency_p50_ms).toBe(first.latency_p50_ms);
    expect(reused.accuracy).toBeNull(); // no match column
  });

  it('gives a line per model when a file holds several, and prints a table, csv and md', async () => {
    writeFileSync(
      join(dir, 'mixed.results.jsonl'),
      [...(records[0] ?? []).slice(0, 3), ...(records[1] ?? []).slice(0, 2)]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const c = JSON.parse(
      (await runCli(['compare', 'mixed.results.jsonl', '--format', 'json'], { cwd: dir })).stdout,
    );
    expect(c.models.map((m: { model: string; rows: number }) => [m.model, m.rows])).toEqual([
      [MODELS[0], 3],
      [MODELS[1], 2],
    ]);
    const table = await runCli(['compare', ...FILES], { cwd: dir });
    expect(table.stdout).toMatch(/haiku\.results\.jsonl\s+global\.anthropic/);
    expect(table.stdout).toContain('50.0%');
    const csv = (await runCli(['compare', ...FILES, '--format', 'csv'], { cwd: dir })).stdout.split('\n');
    expect(csv[0]).toMatch(/^file,model,rows,ok,accuracy,/);
    expect(csv[2]).toMatch(/^nova\.results\.jsonl,us\.amazon\.nova-pro-v1:0,40,40,0\.25,/);
    const md = (await runCli(['compare', ...FILES, '--format', 'md'], { cwd: dir })).stdout;
    expect(md.split('\n')[1]).toMatch(/^\| --- \| --- \| ---: \|/);
  });

  it.each([
    [['nope.results.csv'], 'nope.results.csv: no such file'],
    [['sample.csv'], 'sample.csv:2: not a results file: no "status" column'],
    [[FILES[0], '--rows', '0'], '--rows'],
    [[FILES[0], '--input', 'missing.csv'], 'missing.csv: cannot read: no such file'],
    [[FILES[0], '--rows', '5', '--input', 'sample.csv'], 'give one'],
  ])('refuses %j with exit 2 and no stack trace', async (args, message) => {
    const result = await runCli(['compare', ...args], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
