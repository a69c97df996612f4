/**
 * The cost levers end to end, the real CLI and AWS SDK against the emulator over real sockets:
 * rows served at the flex and priority tiers recorded and priced at that tier (all four APIs);
 * a tier the model does not offer refused before any call; --cache-system over rows sharing a long
 * system prompt, one write then reads, priced at cache prices worked out by hand here, and what
 * the report says caching saved; the short-prompt warning; a model without caching refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
type Row = Record<string, unknown>;

/** Picodollars per token, from the shipped table, by hand: USD per 1M tokens x 1e6. */
const NOVA_PRO = {
  default: [800_000n, 3_200_000n],
  flex: [400_000n, 1_600_000n],
  priority: [1_400_000n, 5_600_000n],
} as const;
const HAIKU = {
  input: 1_000_000n,
  output: 5_000_000n,
  write5m: 1_250_000n,
  write1h: 2_000_000n,
  read: 100_000n,
};

const pico = (usd: unknown) => BigInt(Math.round(Number(usd) * 1e12));

describe.each([
  ['converse', false],
  ['converse', true],
  ['invoke', false],
  ['invoke', true],
] as const)('service tiers, --api %s, stream %s', (api, stream) => {
  it('records the tier that served each row and prices it at that tier', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'tiers.csv'),
      'id,service_tier,prompt\na,,Summarize the ticket\nb,priority,Summarize the ticket\nc,default,Summarize the ticket\n',
    );
    // --no-reuse: the tier is not in the answer ledger's key, so the three identical prompts would
    // otherwise be paid once, at the first row's tier (docs/ledger.md).
    const args = [
      'tiers.csv',
      '-o',
      'out.jsonl',
      '-m',
      'amazon.nova-pro-v1:0',
      '--service-tier',
      'flex',
      '--no-reuse',
    ];
    const result = await runCli([...args, '--api', api, ...(stream ? ['--stream'] : [])], {
      cwd: dir,
      env: used.env(),
    });
    expect(result.code, result.stderr).toBe(0);
    const rows = readJsonl(join(dir, 'out.jsonl'));
    expect(rows.map((r) => [r.id, r.service_tier])).toEqual([
      ['a', 'flex'],
      ['b', 'priority'],
      ['c', 'default'],
    ]);
    for (const row of rows) {
      const [input, output] = NOVA_PRO[row.service_tier as keyof typeof NOVA_PRO];
      expect(pico(row.cost_usd), String(row.id)).toBe(
        BigInt(Number(row.input_tokens)) * input + BigInt(Number(row.output_tokens)) * output,
      );
      expect(Number(row.input_tokens)).toBeGreaterThan(0);
    }
    // The same tokens at three prices: flex is half, priority 1.75 times the standard.
    const [a = 0n, b = 0n, c = 0n] = rows.map((r) => pico(r.cost_usd));
    expect(a * 2n).toBe(c);
    expect(b * 4n).toBe(c * 7n);
  });
});

describe('refused before anything is sent', () => {
  it.each([
    [['--service-tier', 'flex'], /does not offer the flex service tier \(it offers default;/],
    [
      ['--service-tier', 'priority', '-m', 'amazon.nova-micro-v1:0'],
      /"amazon\.nova-micro-v1:0" does not offer the priority/,
    ],
    [
      ['--cache-system', '-m', 'mistral.mistral-large-2407-v1:0'],
      /has no prompt caching; remove --cache-system/,
    ],
    [['--cache-system', '1h', '-m', 'amazon.nova-lite-v1:0'], /caches for 5m only, not 1h/],
  ])('%j: exit 2, no call', async (flags, message) => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', ...flags], { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/prompts\.csv:2: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('refuses a service_tier cell that is not a tier, naming file, line and column', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'bad.csv'), 'id,service_tier,prompt\na,flex,hi\nb,cheap,hi\n');
    const result = await runCli(['bad.csv', '-m', 'amazon.nova-pro-v1:0'], { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'bad.csv:3: column "service_tier" must be default, priority or flex, got "cheap"',
    );
    expect(used.emulator.stats().requests).toBe(0);
  });
});

// 6,000 words of up to 6 letters: 6,000 emulator tokens and 30,000 characters (7,500 by the
// client's estimate), over Claude Haiku 4.5's 4,096-token minimum either way.
const LONG_SYSTEM = Array.from({ length: 6000 }, (_, i) => ['policy', 'refund', 'ticket'][i % 3]).join(' ');

function cachedInput(dir: string, system: string): void {
  writeFileSync(join(dir, 'system.txt'), system);
  const lines = ['id,prompt'];
  for (let i = 1; i <= 4; i++) lines.push(`${i},Classify ticket number ${i} [[emulator:tokens=5]]`);
  writeFileSync(join(dir, 'tickets.csv'), `${lines.join('\n')}\n`);
}

describe.each(['5m', '1h'] as const)('--cache-system %s', (ttl) => {
  it('writes the shared system prompt once, then reads it, at the cache prices', async () => {
    const dir = workdir();
    cachedInput(dir, LONG_SYSTEM);
    const result = await runCli(
      ['tickets.csv', '--system', '@system.txt', '--cache-system', ttl, '-c', '1', '-o', 'out.csv'],
      { cwd: dir, env: used.env() },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning');
    const rows = parse(readFileSync(join(dir, 'out.csv')), { columns: true }) as Array<
      Record<string, string>
    >;
    const written = Number(rows[0]?.cache_write_tokens);
    expect(written).toBeGreaterThanOrEqual(4096);
    expect(rows.map((r) => [r.cache_write_tokens, r.cache_read_tokens, r.cache_write_1h_tokens])).toEqual([
      [String(written), '0', ttl === '1h' ? String(written) : '0'],
      ['0', String(written), '0'],
      ['0', String(written), '0'],
      ['0', String(written), '0'],
    ]);
    const write = ttl === '1h' ? HAIKU.write1h : HAIKU.write5m;
    let total = 0n;
    let saved = 0n;
    for (const row of rows) {
      const plain =
        BigInt(Number(row.input_tokens)) * HAIKU.input + BigInt(Number(row.output_tokens)) * HAIKU.output;
      const cached =
        BigInt(Number(row.cache_write_tokens)) * write + BigInt(Number(row.cache_read_tokens)) * HAIKU.read;
      expect(pico(row.cost_usd), row.id).toBe(plain + cached);
      total += plain + cached;
      // Without caching every cached token would have been plain input.
      saved += BigInt(Number(row.cache_write_tokens) + Number(row.cache_read_tokens)) * HAIKU.input - cached;
    }
    // The summary counts the cache tokens.
    expect(result.stderr).toContain(
      `${(written * 3).toLocaleString('en-US')} cache read, ${written.toLocaleString('en-US')} cache write`,
    );

    const report = JSON.parse((await runCli(['report', 'out.csv', '--format', 'json'], { cwd: dir })).stdout);
    expect(pico(report.total.cost_usd)).toBe(total);
    expect(report.total.cache_read_tokens).toBe(written * 3);
    expect(report.total.cache_write_1h_tokens).toBe(ttl === '1h' ? written : 0);
    expect(pico(report.total.cache_saved_usd)).toBe(saved);
    const html = (await runCli(['report', 'out.csv', '--format', 'html'], { cwd: dir })).stdout;
    expect(html).toMatch(/id="cache-saved">\$\d+\.\d{4}</);
  });
});

describe('--cache-system with a short system prompt', () => {
  it('warns once, naming the minimum, and the rows are billed as plain input', async () => {
    const dir = workdir();
    cachedInput(dir, 'You sort support tickets.');
    const result = await runCli(
      ['tickets.csv', '--system', '@system.txt', '--cache-system', '-o', 'out.jsonl'],
      {
        cwd: dir,
        env: used.env(),
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('--cache-system'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'shorter than the 4,096 tokens "global.anthropic.claude-haiku-4-5-20251001-v1:0" needs',
    );
    const rows = readJsonl(join(dir, 'out.jsonl')) as Row[];
    expect(rows.every((r) => r.cache_write_tokens === 0 && r.cache_read_tokens === 0)).toBe(true);
  });
});

describe('report --by tier', () => {
  it('groups rows by the tier that served them', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'tiers.csv'),
      'id,service_tier,prompt\na,flex,hi\nb,flex,hi\nc,priority,hi\nd,,hi\n',
    );
    const run = await runCli(['tiers.csv', '-m', 'amazon.nova-pro-v1:0', '--no-reuse'], {
      cwd: dir,
      env: used.env(),
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(
      (await runCli(['report', 'tiers.results.csv', '--by', 'tier', '--format', 'json'], { cwd: dir }))
        .stdout,
    );
    expect(report.groups.map((g: Row) => [g.tier, g.rows])).toEqual([
      ['default', 1],
      ['flex', 2],
      ['priority', 1],
    ]);
  });
});
