/**
 * `run-batch estimate` end to end: its cost range must contain what the real run on the emulator
 * then costs; bad rows are all named with exit 2 and nothing is sent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

type Row = Record<string, unknown>;

const pico = (usd: unknown) => (usd === '' || usd === null ? 0n : BigInt(Math.round(Number(usd) * 1e12)));
const sumCost = (rows: Row[]) => rows.reduce((sum, r) => sum + pico(r.cost_usd), 0n);

const used = useEmulator({}, 'stats');
const env = used.env;

describe('run-batch estimate', () => {
  it.each([
    ['prompts.csv', []],
    ['prompts.jsonl', ['-m', 'us.amazon.nova-pro-v1:0', '--max-tokens', '64']],
    [
      'tickets.csv',
      [
        '--template',
        'Reply in {{lang}}: {{body}}',
        '--id-column',
        'ticket_id',
        '-m',
        'mistral.mistral-large-2402-v1:0',
      ],
    ],
  ])('on %s %j prints a range that contains the cost of the real run', async (fixture, args) => {
    const dir = workdir(fixture);
    const estimate = await runCli(['estimate', fixture, ...args, '--format', 'json'], {
      cwd: dir,
      env: env(),
    });
    expect(estimate.code, estimate.stderr).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    const e = JSON.parse(estimate.stdout);

    const run = await runCli([fixture, ...args, '-o', 'out.jsonl'], { cwd: dir, env: env() });
    expect(run.code, run.stderr).toBe(0);
    const rows = readJsonl(join(dir, 'out.jsonl'));
    expect(e.rows).toBe(rows.length);
    const real = sumCost(rows);
    expect(real).toBeGreaterThan(0n);
    expect(pico(e.minCostUsd)).toBeLessThanOrEqual(real);
    expect(pico(e.maxCostUsd)).toBeGreaterThanOrEqual(real);
    // No row can write more than its max_tokens.
    expect(e.maxOutputTokens).toBeGreaterThanOrEqual(rows.reduce((n, r) => n + Number(r.output_tokens), 0));
  });

  it('prints the range and the duration bound for people', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['estimate', 'prompts.csv', '--rpm', '10', '-c', '4'], { cwd: dir });
    expect(result.code).toBe(0);
    // 25 rows of Claude Haiku 4.5 (global): 1,105 estimated input tokens x $0.001/1K = $0.001105, and
    // 25 x 512 output tokens x $0.005/1K = $0.064 more at most.
    expect(result.stdout).toContain('rows      25, all valid (prompts.csv)');
    expect(result.stdout).toContain('input     1,105 tokens (local estimate');
    expect(result.stdout).toContain('output    0 to 12,800 tokens');
    expect(result.stdout).toMatch(/^cost {6}\$0\.0011 to \$0\.0651 \(prices as of \d{4}-\d\d-\d\d\)$/m);
    // 25 rows at 10 a minute: 2m 30s, longer than 25 x 1 s / 4 at once.
    expect(result.stdout).toMatch(/^duration {2}at least 2m 30s, bound by rpm: 25 rows \/ 10 a minute/m);
    expect(result.stdout).toContain('concurrency: 25 rows x 1,000 ms a call / 4 at once = 6.3s');
  });

  it('names every bad row, exits 2 and sends nothing', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'bad.csv'),
      'id,prompt,max_tokens,model\n1,Hello,abc,\n2,,,\n3,Fine,5,\n3,Again,,\n4,Ok,,acme.unknown-v1:0\n',
    );
    const result = await runCli(['estimate', 'bad.csv'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'run-batch: bad.csv:2: column "max_tokens" must be a whole number from 1 to 1000000, got "abc"',
      'bad.csv:3: the prompt in column "prompt" is empty',
      'bad.csv:5: duplicate id "3" (first on line 4)',
      'bad.csv: 3 bad rows; nothing was sent',
    ]);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('warns about a model without a price and leaves its rows out of the range, not as $0', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'mixed.csv'),
      'id,prompt,model\n1,Hello there,\n2,Hello there,acme.unknown-v1:0\n',
    );
    const result = await runCli(['estimate', 'mixed.csv', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: no price for model "acme.unknown-v1:0"');
    const e = JSON.parse(result.stdout);
    expect(e.unpricedRows).toBe(1);
    expect(e.byModel.find((m: Row) => m.model === 'acme.unknown-v1:0')).toMatchObject({ minCostUsd: null });
    // "Hello there" = 11 characters = 3 tokens x $0.001/1K, + 512 x $0.005/1K.
    expect(e.minCostUsd).toBe(0.000003);
    expect(e.maxCostUsd).toBe(0.002563);
  });

  it('uses --pricing for the range', async () => {
    const dir = workdir('prompts.csv');
    writeFileSync(
      join(dir, 'prices.yaml'),
      'models:\n  global.anthropic.claude-haiku-4-5-20251001-v1:0:\n    input: 0.001\n    output: 0\n',
    );
    const e = JSON.parse(
      (
        await runCli(['estimate', 'prompts.csv', '--pricing', 'prices.yaml', '--format', 'json'], {
          cwd: dir,
        })
      ).stdout,
    );
    // 1,105 tokens x $0.001/1K, and nothing for output.
    expect(e.minCostUsd).toBe(0.001105);
    expect(e.maxCostUsd).toBe(0.001105);
  });

  // Needs the emulator's CountTokens operation (built on the emulator branch); until that is merged
  // the emulator answers ValidationException and this test fails.
  it('--count-tokens api counts exactly what the run is then billed for', async () => {
    const dir = workdir('prompts.csv');
    const estimate = await runCli(['estimate', 'prompts.csv', '--count-tokens', 'api', '--format', 'json'], {
      cwd: dir,
      env: env(),
    });
    expect(estimate.code, estimate.stderr).toBe(0);
    const e = JSON.parse(estimate.stdout);
    expect(e.counted).toBe('api');
    // One CountTokens call per row and no model call (the emulator with CountTokens counts by operation).
    const byOperation = (used.emulator.stats() as { byOperation?: Record<string, { requests: number }> })
      .byOperation;
    expect(byOperation?.['count-tokens']?.requests).toBe(25);
    expect(byOperation?.converse?.requests ?? 0).toBe(0);

    const run = await runCli(['prompts.csv', '-o', 'out.csv'], { cwd: dir, env: env() });
    expect(run.code).toBe(0);
    const rows = parse(readFileSync(join(dir, 'out.csv')), { columns: true, bom: true }) as Row[];
    expect(e.inputTokens).toBe(rows.reduce((n, r) => n + Number(r.input_tokens), 0));
    const real = sumCost(rows);
    expect(pico(e.minCostUsd)).toBeLessThanOrEqual(real);
    expect(pico(e.maxCostUsd)).toBeGreaterThanOrEqual(real);
  });
});
