/**
 * `run-batch report` end to end: real jobs on the emulator (over sockets, real SDK) write results
 * files, then the report in every format must total exactly the sum over those files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { FAKE_AWS_ENV, readJsonl, runCli, workdir } from '../helpers/cli.js';

type Row = Record<string, unknown>;

function readCsv(path: string): Row[] {
  return parse(readFileSync(path), { columns: true, bom: true }) as Row[];
}

/** The sum over the files, the way a person with a spreadsheet would do it: exact, in picodollars. */
function picoOf(value: unknown): bigint {
  return value === '' || value === null || value === undefined
    ? 0n
    : BigInt(Math.round(Number(value) * 1e12));
}

let emulator: Emulator;
let dir: string;
let rows: Row[];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const env = { ...FAKE_AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  dir = workdir('prompts.csv', 'prompts.jsonl', 'tickets.csv');
  const jobs = [
    ['prompts.csv'],
    ['prompts.jsonl', '-m', 'us.amazon.nova-lite-v1:0'],
    ['tickets.csv', '--template', 'Reply in {{lang}}: {{body}}', '-m', 'mistral.mistral-large-2402-v1:0'],
  ];
  for (const job of jobs) {
    const result = await runCli(job, { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
  }
  // A file written before a model had a price: ok rows with an empty cost_usd, and a failed row.
  writeFileSync(
    join(dir, 'old.results.jsonl'),
    [
      {
        id: 'a',
        status: 'ok',
        model: 'acme.new-v1:0',
        input_tokens: 10,
        output_tokens: 5,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: null,
        finished_at: '2026-01-02T23:59:59.000Z',
      },
      {
        id: 'b',
        status: 'ok',
        model: 'acme.new-v1:0',
        input_tokens: 20,
        output_tokens: 5,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: null,
        finished_at: '2026-01-03T00:00:01.000Z',
      },
      {
        id: 'c',
        status: 'error',
        model: 'acme.new-v1:0',
        input_tokens: null,
        output_tokens: null,
        cache_read_tokens: null,
        cache_write_tokens: null,
        cost_usd: null,
        finished_at: '2026-01-03T00:00:02.000Z',
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  rows = [
    ...readCsv(join(dir, 'prompts.results.csv')),
    ...readJsonl(join(dir, 'prompts.results.jsonl')),
    ...readCsv(join(dir, 'tickets.results.csv')),
    ...readJsonl(join(dir, 'old.results.jsonl')),
  ];
});
afterAll(() => emulator.close());

const FILES = ['*.results.csv', '*.results.jsonl'];

describe('run-batch report', () => {
  it('totals in every format equal the sum over the results files', async () => {
    const exact = rows.reduce((sum, r) => sum + picoOf(r.cost_usd), 0n);
    const dollars = Number(exact) / 1e12;
    expect(exact).toBeGreaterThan(0n);
    const inputTokens = rows.reduce((sum, r) => sum + Number(r.input_tokens || 0), 0);

    const json = JSON.parse((await runCli(['report', ...FILES, '--format', 'json'], { cwd: dir })).stdout);
    expect(picoOf(json.total.cost_usd)).toBe(exact);
    expect(json.total).toMatchObject({ rows: rows.length, ok: rows.length - 1, error: 1, unpriced_rows: 2 });
    expect(json.total.input_tokens).toBe(inputTokens);
    expect(json.files).toHaveLength(4);

    const csv = parse((await runCli(['report', ...FILES, '--format', 'csv'], { cwd: dir })).stdout, {
      columns: true,
    }) as Row[];
    const csvTotal = csv.at(-1);
    expect(csvTotal?.model).toBe('total');
    expect(picoOf(csvTotal?.cost_usd)).toBe(exact);
    expect(csv.slice(0, -1).reduce((sum, r) => sum + picoOf(r.cost_usd), 0n)).toBe(exact);

    // People read 4 places: within half of the 4th place of the exact sum, so the same to the cent.
    const shown = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    const table = (await runCli(['report', ...FILES], { cwd: dir })).stdout;
    const md = (await runCli(['report', ...FILES, '--format', 'md'], { cwd: dir })).stdout;
    const html = (await runCli(['report', ...FILES, '--format', 'html'], { cwd: dir })).stdout;
    for (const total of [
      shown(table, /^total .* \$(\d+\.\d{4}) +2$/m),
      shown(md, /^\| \*\*total\*\* .*\*\*\$(\d+\.\d{4})\*\* \| \*\*2\*\* \|$/m),
      shown(html, /id="total-cost">\$(\d+\.\d{4})</),
    ]) {
      expect(Math.abs(total - dollars)).toBeLessThanOrEqual(0.00005);
      expect(total.toFixed(2)).toBe(dollars.toFixed(2));
    }
    expect(table).toMatch(/^acme\.new-v1:0 +3 +2 +1 .* unpriced +2$/m);
    expect(table).toContain('2 ok rows have no cost_usd');
  });

  it.each([
    [
      'model',
      [
        'global.anthropic.claude-haiku-4-5-20251001-v1:0',
        'us.amazon.nova-lite-v1:0',
        'mistral.mistral-large-2402-v1:0',
        'acme.new-v1:0',
      ],
    ],
    ['job', ['old.results.jsonl', 'prompts.results.csv', 'prompts.results.jsonl', 'tickets.results.csv']],
    ['status', ['error', 'ok']],
  ])('groups --by %s, each group summing its own rows', async (by, keys) => {
    const result = await runCli(['report', ...FILES, '--by', by, '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.groups.map((g: Row) => g[by]).sort()).toEqual([...keys].sort());
    for (const group of report.groups) {
      const mine = rows.filter((r) => {
        if (by === 'model') return r.model === group.model;
        if (by === 'status') return r.status === group.status;
        return true;
      });
      if (by !== 'job') {
        expect(group.rows).toBe(mine.length);
        const cost = mine.reduce((sum, r) => sum + picoOf(r.cost_usd), 0n);
        if (group.cost_usd !== null) expect(picoOf(group.cost_usd)).toBe(cost);
      }
    }
    const unpriced = report.groups.find((g: Row) => g[by] === 'acme.new-v1:0');
    if (unpriced) expect(unpriced.cost_usd).toBeNull();
  });

  it('groups --by day on the UTC date of finished_at', async () => {
    const report = JSON.parse(
      (await runCli(['report', 'old.results.jsonl', '--by', 'day', '--format', 'json'], { cwd: dir })).stdout,
    );
    expect(report.groups.map((g: Row) => [g.day, g.rows])).toEqual([
      ['2026-01-02', 1],
      ['2026-01-03', 2],
    ]);
  });

  it('writes --output to a file', async () => {
    const result = await runCli(['report', 'prompts.results.csv', '--format', 'md', '-o', 'report.md'], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/^# run-batch report by model/);
  });

  it.each([
    [['nothing-*.csv'], /no \.csv, \.jsonl, \.ndjson or \.parquet file matches "nothing-\*\.csv"/],
    [['missing.csv'], /missing\.csv: no such file/],
    [['prompts.csv'], /prompts\.csv:2: not a results file: no "status" column/],
    [['prompts.results.csv', '--by', 'week'], /--by must be one of model, day, .*, got "week"/],
  ])('refuses %j with exit 2 and a message that names it', async (args, pattern) => {
    const result = await runCli(['report', ...args], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
