/**
 * A run prices its rows (with `--pricing` laid over the shipped table), prints the cost by model,
 * and `report` over its results file agrees with it; a bad pricing file stops the run before
 * anything is sent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({}, 'stats');
const env = used.env;

function mixedInput(dir: string): void {
  writeFileSync(
    join(dir, 'mixed.csv'),
    [
      'id,model,prompt',
      'a,,Classify: I was charged twice.',
      'b,us.amazon.nova-lite-v1:0,Classify: the app crashes on start.',
      'c,,Classify: how do I add an admin?',
      'd,us.amazon.nova-lite-v1:0,Classify: refund please.',
    ].join('\n'),
  );
}

describe('cost of a run', () => {
  it('prices each row (profile ids as their base, --pricing over the table) and prints cost by model', async () => {
    const dir = workdir();
    mixedInput(dir);
    writeFileSync(
      join(dir, 'prices.json'),
      JSON.stringify({ models: { 'amazon.nova-lite-v1:0': { input: 0.001, output: 0.002 } } }),
    );
    const result = await runCli(['mixed.csv', '--pricing', 'prices.json'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);

    const rows = parse(readFileSync(join(dir, 'mixed.results.csv')), { columns: true }) as Array<
      Record<string, string>
    >;
    let total = 0n;
    for (const row of rows) {
      // Picodollars per token: Claude Haiku 4.5 1,000,000 in / 5,000,000 out (shipped);
      // Nova Lite 1,000,000 in / 2,000,000 out (from prices.json).
      const nova = (row.model ?? '').startsWith('us.amazon.nova-lite');
      const [inPrice, outPrice] = nova ? [1_000_000n, 2_000_000n] : [1_000_000n, 5_000_000n];
      expect(row.status).toBe('ok');
      const expected = BigInt(row.input_tokens ?? 0) * inPrice + BigInt(row.output_tokens ?? 0) * outPrice;
      expect(BigInt(Math.round(Number(row.cost_usd) * 1e12)), row.id).toBe(expected);
      total += expected;
    }

    // The summary: the total and one line per model.
    const usd = (pico: bigint) => `$${(Number(pico) / 1e12).toFixed(4)}`;
    expect(result.stderr).toContain(`cost      ${usd(total)}\n`);
    expect(result.stderr).toMatch(/^ +\$\d+\.\d{4} us\.amazon\.nova-lite-v1:0 \(2 rows\)$/m);
    expect(result.stderr).toMatch(
      /^ +\$\d+\.\d{4} global\.anthropic\.claude-haiku-4-5-20251001-v1:0 \(2 rows\)$/m,
    );

    // And report agrees with the file, exactly.
    const report = JSON.parse(
      (await runCli(['report', 'mixed.results.csv', '--format', 'json'], { cwd: dir })).stdout,
    );
    expect(BigInt(Math.round(report.total.cost_usd * 1e12))).toBe(total);
  });

  it.each([
    [
      '{"models": {"amazon.nova-lite-v1:0": {"input": "cheap", "output": 1}}}',
      /--pricing prices\.json: models\["amazon\.nova-lite-v1:0"\]\.input must be a number from 0 up \(USD per 1,000 tokens\), got "cheap"/,
    ],
    ['{"models": ', /--pricing prices\.json: not valid JSON/],
  ])('refuses a bad --pricing file %j with exit 2 and sends nothing', async (text, pattern) => {
    const dir = workdir();
    mixedInput(dir);
    writeFileSync(join(dir, 'prices.json'), text);
    const result = await runCli(['mixed.csv', '--pricing', 'prices.json'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(used.emulator.stats().requests).toBe(0);
  });
});
