/**
 * --json-schema through the built CLI, against the emulator over real sockets with the real SDK:
 * every API in native and tool mode, bad answers retried and counted, error rows after
 * --json-retries, truncation retried with a higher max_tokens, a broken schema refused before any
 * call, json_* columns and response_json, and resume reading them back.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { fetchStats } from '../helpers/emulator-clients.js';

const used = useEmulator();
const SCHEMA = join(ROOT, 'jobs/ticket-triage.schema.json');
const PROPERTIES = [
  'category',
  'urgency',
  'product_area',
  'summary',
  'needs_human',
  'tags',
  'customer_sentiment',
];
const CATEGORIES = [
  'billing',
  'bug',
  'account',
  'feature_request',
  'security',
  'cancellation',
  'question',
  'praise',
];

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path), { columns: true, bom: true }) as Array<Record<string, string>>;
}

/** A small input whose prompts can carry emulator directives. */
function prompts(lines: string[]): string {
  const dir = workdir();
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.map((p, i) => `r${i + 1},"${p}"`).join('\n')}\n`);
  copyFileSync(SCHEMA, join(dir, 'triage.json'));
  return dir;
}

function run(dir: string, args: string[]) {
  return runCli(['in.csv', '--json-schema', 'triage.json', '--backoff-base', '1', ...args], {
    cwd: dir,
    env: used.env(),
  });
}

describe('the shipped extraction job', () => {
  it('fills json_* for every ticket, and JSONL gets response_json', async () => {
    const dir = workdir('tickets-extract.csv');
    copyFileSync(SCHEMA, join(dir, 'triage.json'));
    const template = 'Triage: {{subject}} {{body}}';
    const csv = await runCli(
      ['tickets-extract.csv', '--template', template, '--json-schema', 'triage.json'],
      {
        cwd: dir,
        env: used.env(),
      },
    );
    expect(csv.code, csv.stderr).toBe(0);
    const rows = readCsv(join(dir, 'tickets-extract.results.csv'));
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row.status).toBe('ok');
      const answer = JSON.parse(row.response ?? '') as Record<string, unknown>;
      expect(CATEGORIES).toContain(row.json_category);
      expect(row.json_category).toBe(answer.category);
      expect(row.json_needs_human).toBe(String(answer.needs_human));
      expect(row.json_tags).toBe(JSON.stringify(answer.tags));
      for (const name of ['urgency', 'product_area', 'summary']) expect(row[`json_${name}`]).not.toBe('');
    }
    const header = readFileSync(join(dir, 'tickets-extract.results.csv'), 'utf8').split('\n')[0] ?? '';
    expect(header.split(',').slice(-PROPERTIES.length)).toEqual(PROPERTIES.map((p) => `json_${p}`));

    const jsonl = await runCli(
      ['tickets-extract.csv', '--template', template, '--json-schema', 'triage.json', '-o', 'out.jsonl'],
      { cwd: dir, env: used.env() },
    );
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const records = readJsonl(join(dir, 'out.jsonl'));
    expect(records).toHaveLength(20);
    for (const r of records) expect(r.response_json).toEqual(JSON.parse(String(r.response)));
  });
});

describe('the shipped triage job file', () => {
  it('runs from another directory, its schema path relative to the job file', async () => {
    const root = workdir();
    cpSync(join(ROOT, 'jobs'), join(root, 'jobs'), { recursive: true });
    cpSync(FIXTURES, join(root, 'fixtures'), { recursive: true });
    mkdirSync(join(root, 'elsewhere'));
    // --no-emulate over the job's `emulate: true`: the calls go to this test's emulator.
    const result = await runCli(['run', '--job', '../jobs/ticket-triage.yaml', '--no-emulate'], {
      cwd: join(root, 'elsewhere'),
      env: used.env(),
    });
    expect(result.code, result.stderr).toBe(0);
    const rows = readCsv(join(root, 'fixtures/tickets-extract.results.csv'));
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'ok' && CATEGORIES.includes(r.json_category ?? ''))).toBe(true);
    expect((await fetchStats(used.emulator.url)).byOperation.converse?.ok).toBe(20);
  });
});

describe('every API, native and tool', () => {
  it.each([
    ['converse', []],
    ['converse-stream', ['--stream']],
    ['invoke', ['--api', 'invoke']],
    ['invoke-with-response-stream', ['--api', 'invoke', '--stream']],
  ])('%s', async (operation, args) => {
    for (const mode of ['native', 'tool']) {
      const dir = prompts(['Printer on fire in the office', 'Refund my March invoice please']);
      const result = await run(dir, [...args, '--json-mode', mode, '-o', 'out.jsonl']);
      expect(result.code, result.stderr).toBe(0);
      const records = readJsonl(join(dir, 'out.jsonl'));
      expect(records.map((r) => r.status)).toEqual(['ok', 'ok']);
      // A forced tool answers with tool_use; native structured output with end_turn.
      expect(new Set(records.map((r) => r.stop_reason))).toEqual(
        new Set([mode === 'tool' ? 'tool_use' : 'end_turn']),
      );
      for (const r of records)
        expect(CATEGORIES).toContain((r.response_json as { category: string }).category);
    }
    const stats = await fetchStats(used.emulator.url);
    expect(stats.byOperation[operation]?.ok).toBe(4);
    expect(stats.requests).toBe(4);
  });

  it('Nova in auto mode gets the forced tool', async () => {
    const dir = prompts(['The app crashes on start']);
    const result = await run(dir, ['-m', 'us.amazon.nova-lite-v1:0', '-o', 'out.jsonl']);
    expect(result.code, result.stderr).toBe(0);
    expect(readJsonl(join(dir, 'out.jsonl'))[0]).toMatchObject({ status: 'ok', stop_reason: 'tool_use' });
  });
});

describe('bad answers', () => {
  it('broken JSON the first time is retried and ends ok with attempts 2', async () => {
    const dir = prompts(['Refund please [[emulator:badjson=1]]', 'No directive here']);
    const result = await run(dir, []);
    expect(result.code, result.stderr).toBe(0);
    const rows = readCsv(join(dir, 'in.results.csv'));
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['ok', '2'],
      ['ok', '1'],
    ]);
    expect(CATEGORIES).toContain(rows[0]?.json_category);
    expect((await fetchStats(used.emulator.url)).requests).toBe(3);
  });

  it('always broken ends as an InvalidJson error row after --json-retries', async () => {
    const dir = prompts(['Refund please [[emulator:badjson=9]]', 'Fine row']);
    const result = await run(dir, ['--json-retries', '2']);
    expect(result.code).toBe(1);
    const [bad, good] = readCsv(join(dir, 'in.results.csv'));
    expect(bad).toMatchObject({
      status: 'error',
      error_code: 'InvalidJson',
      attempts: '3',
      json_category: '',
    });
    expect(bad?.error_message).toMatch(/^the answer is not JSON .*\(after 2 retries\)$/);
    expect(good?.status).toBe('ok');
    const stats = await fetchStats(used.emulator.url);
    expect(stats.requests).toBe(4);
    // The three bad answers were generated and billed: the error row shows their tokens and cost,
    // so the file's tokens are every token the emulator served, and the run's cost counts them.
    expect(Number(bad?.input_tokens)).toBeGreaterThan(0);
    expect(Number(bad?.input_tokens) + Number(good?.input_tokens)).toBe(stats.inputTokens);
    expect(Number(bad?.output_tokens) + Number(good?.output_tokens)).toBe(stats.outputTokens);
    expect(Number(bad?.cost_usd)).toBeGreaterThan(0);
    const summary = JSON.parse(readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8'));
    expect(summary.costUsd).toBeCloseTo(Number(bad?.cost_usd) + Number(good?.cost_usd), 12);
    expect(summary.tokens.input).toBe(stats.inputTokens);
    expect(summary.rows).toMatchObject({ ok: 1, error: 1 });
    const report = await runCli(['report', 'in.results.csv', '--format', 'json'], {
      cwd: dir,
      env: used.env(),
    });
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).total).toMatchObject({
      rows: 2,
      error: 1,
      input_tokens: stats.inputTokens,
    });
    expect(Number(JSON.parse(report.stdout).total.cost_usd)).toBeCloseTo(summary.costUsd, 12);
  });

  it('a truncated answer is retried with a higher max_tokens', async () => {
    const dir = prompts(['The dashboard is slow since Monday']);
    const result = await run(dir, ['--max-tokens', '16', '--json-retries', '4', '-o', 'out.jsonl']);
    expect(result.code, result.stderr).toBe(0);
    const [row] = readJsonl(join(dir, 'out.jsonl'));
    expect(row?.status).toBe('ok');
    expect(Number(row?.attempts)).toBeGreaterThan(1);
    // More output than the first attempt's max_tokens allowed: a raised limit was sent.
    expect(Number(row?.output_tokens)).toBeGreaterThan(16);
    const stats = await fetchStats(used.emulator.url);
    expect(stats.requests).toBe(Number(row?.attempts));
    expect(stats.ok).toBe(Number(row?.attempts));
  });

  it('resume keeps ok rows with their json_* columns and resends only the failed one', async () => {
    const dir = prompts(['Refund please [[emulator:badjson=3]]', 'Fine row', 'Another fine row']);
    const first = await run(dir, ['--json-retries', '1']);
    expect(first.code).toBe(1);
    expect((await fetchStats(used.emulator.url)).requests).toBe(4);
    const second = await run(dir, ['--json-retries', '1']);
    expect(second.code, second.stderr).toBe(0);
    const rows = readCsv(join(dir, 'in.results.csv'));
    expect(rows.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(rows.every((r) => CATEGORIES.includes(r.json_category ?? ''))).toBe(true);
    // Only row 1 went out again: its 3rd arrival still broken, the 4th good.
    expect((await fetchStats(used.emulator.url)).requests).toBe(6);
  });
});

describe('refused before any call', () => {
  it.each([
    [
      'a broken schema',
      '{"type": "object", "properties": {"a": {"type": "strng"}}}',
      /triage\.json: not a usable JSON Schema/,
    ],
    ['a schema that is not JSON or YAML', '{"type": "object",\n  "properties": {', /triage\.json:\d+:\d+: /],
  ])('%s is exit 2 naming the file', async (_name, text, message) => {
    const dir = prompts(['Hello']);
    writeFileSync(join(dir, 'triage.json'), text);
    const result = await run(dir, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((await fetchStats(used.emulator.url)).requests).toBe(0);
  });

  it('a model with no structured output and no forced tool', async () => {
    const dir = prompts(['Hello']);
    const result = await run(dir, ['-m', 'meta.llama3-1-8b-instruct-v1:0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has neither native structured output nor a forced tool choice/);
    expect((await fetchStats(used.emulator.url)).requests).toBe(0);
  });
});
