/**
 * The built CLI end to end, against the emulator over real sockets with the real AWS SDK.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { FAKE_AWS_ENV, readJsonl, runCli, workdir } from '../helpers/cli.js';

const FIELDS = [
  'id',
  'status',
  'model',
  'response',
  'stop_reason',
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_usd',
  'latency_ms',
  'attempts',
  'finished_at',
  'error_code',
  'error_message',
  // The fingerprint of the request each record answered (resume tells changed rows by it).
  'request_hash',
  // The answer ledger's: written from it with no call, and what this file paid.
  'reused',
  'paid_usd',
];

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path), { columns: true, bom: true }) as Array<Record<string, string>>;
}

function expectOkRow(row: Record<string, unknown>): void {
  expect(row.status).toBe('ok');
  expect(String(row.response).length).toBeGreaterThan(0);
  expect(['end_turn', 'max_tokens', 'stop_sequence']).toContain(row.stop_reason);
  const input = Number(row.input_tokens);
  const output = Number(row.output_tokens);
  expect(input).toBeGreaterThan(0);
  expect(output).toBeGreaterThan(0);
  expect(Number(row.total_tokens)).toBe(input + output);
  expect(Number(row.cache_read_tokens)).toBe(0);
  expect(Number(row.cache_write_tokens)).toBe(0);
  expect(Number(row.attempts)).toBe(1);
  expect(Number(row.latency_ms)).toBeGreaterThanOrEqual(0);
  expect(new Date(String(row.finished_at)).toISOString()).toBe(row.finished_at);
  expect(row.error_code === '' || row.error_code === null).toBe(true);
  expect(row.error_message === '' || row.error_message === null).toBe(true);
}

describe('run-batch --emulate', () => {
  it('runs the fixture CSV and writes one ok row per input row, input columns first', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '--emulate'], { cwd: dir });
    expect(result.stderr).toMatch(/rows +25 total: 25 ok, 0 error/);
    expect(result.code).toBe(0);

    const text = readFileSync(join(dir, 'prompts.results.csv'), 'utf8');
    const header = text.split('\n')[0]?.split(',');
    expect(header).toEqual(['input_id', 'channel', 'customer', 'prompt', ...FIELDS]);
    const input = readCsv(join(dir, 'prompts.csv'));
    const rows = readCsv(join(dir, 'prompts.results.csv'));
    expect(rows.map((r) => r.id)).toEqual(input.map((r) => r.id));
    rows.forEach((row, i) => {
      expectOkRow(row);
      expect(row.model).toBe('global.anthropic.claude-haiku-4-5-20251001-v1:0');
      expect(row.input_id).toBe(input[i]?.id);
      expect(row.prompt).toBe(input[i]?.prompt);
      // Claude Haiku 4.5 (global): $0.001 in, $0.005 out per 1,000 tokens, counted in picodollars.
      const pico = Number(row.input_tokens) * 1_000_000 + Number(row.output_tokens) * 5_000_000;
      expect(Math.round(Number(row.cost_usd) * 1e12)).toBe(pico);
    });
  });

  it('runs JSONL, including multi-turn rows, into JSONL with the original row as `input`', async () => {
    const dir = workdir('prompts.jsonl');
    const result = await runCli(['prompts.jsonl', '--emulate'], { cwd: dir });
    expect(result.code).toBe(0);
    const input = readJsonl(join(dir, 'prompts.jsonl'));
    const rows = readJsonl(join(dir, 'prompts.results.jsonl'));
    expect(rows).toHaveLength(input.length);
    rows.forEach((row, i) => {
      expect(Object.keys(row)).toEqual([...FIELDS, 'input']);
      expectOkRow(row);
      expect(row.input).toEqual(input[i]);
    });
  });
});

describe('run-batch against an emulator on its own port', () => {
  let emulator: Emulator;
  const env = () => ({ ...FAKE_AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 30 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.resetStats());

  it('sends one call per row and never more than --concurrency at once', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '-c', '3'], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    const stats = emulator.stats();
    expect(stats.requests).toBe(25);
    expect(stats.ok).toBe(25);
    expect(stats.peakInFlight).toBeLessThanOrEqual(3);
    expect(stats.peakInFlight).toBeGreaterThan(1);
  });

  it('applies a template, an id column and --max-tokens to a BOM + CRLF CSV', async () => {
    const dir = workdir('tickets.csv');
    const result = await runCli(
      [
        'tickets.csv',
        '--template',
        'Answer in {{lang}}: {{body}}',
        '--id-column',
        'ticket_id',
        '--max-tokens',
        '5',
        '-o',
        'out.jsonl',
      ],
      { cwd: dir, env: env() },
    );
    expect(result.code).toBe(0);
    const rows = readJsonl(join(dir, 'out.jsonl'));
    expect(rows.map((r) => r.id)).toEqual(readCsv(join(dir, 'tickets.csv')).map((r) => r.ticket_id));
    for (const row of rows) {
      expect(row.stop_reason).toBe('max_tokens');
      expect(row.output_tokens).toBe(5);
    }
  });

  it('stops a reply at a --stop sequence', async () => {
    const dir = workdir('prompts.jsonl');
    await runCli(['prompts.jsonl', '-o', 'plain.jsonl'], { cwd: dir, env: env() });
    const plain = readJsonl(join(dir, 'plain.jsonl'));
    const first = String(plain[0]?.response);
    const stop = ` ${first.split(' ')[3]}`;
    const result = await runCli(['prompts.jsonl', '-o', 'stopped.jsonl', '--stop', stop, '--stop', 'zzz'], {
      cwd: dir,
      env: env(),
    });
    expect(result.code).toBe(0);
    const stopped = readJsonl(join(dir, 'stopped.jsonl'))[0];
    expect(stopped?.stop_reason).toBe('stop_sequence');
    expect(stopped?.response).toBe(first.slice(0, first.indexOf(stop)));
  });

  it('records a failed call as an error row and goes on (exit 1)', async () => {
    const dir = workdir();
    const input = join(dir, 'mixed.csv');
    writeFileSync(input, 'id,model,prompt\na,,Hello\nb,no.such-model-v1,Hello\nc,,Hello again\n');
    const result = await runCli(['mixed.csv'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    const rows = readCsv(join(dir, 'mixed.results.csv'));
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['a', 'ok'],
      ['b', 'error'],
      ['c', 'ok'],
    ]);
    expect(rows[1]).toMatchObject({
      error_code: 'ValidationException',
      error_message: 'The provided model identifier is invalid.',
      model: 'no.such-model-v1',
      response: '',
      input_tokens: '',
      attempts: '1',
    });
  });

  it.each([
    [
      'broken/unclosed-quote.csv',
      [],
      /^run-batch: .*unclosed-quote\.csv:3: unclosed quote in column "prompt"/,
    ],
    ['broken/stray-quote.csv', [], /^run-batch: .*stray-quote\.csv:3: a quote inside an unquoted field/],
    ['broken/not-json.jsonl', [], /^run-batch: .*not-json\.jsonl:2: not valid JSON/],
    ['broken/no-prompt-column.csv', [], /^run-batch: .*no-prompt-column\.csv:1: no "prompt" column/],
    [
      'broken/duplicate-id.csv',
      [],
      /^run-batch: .*duplicate-id\.csv:4: duplicate id "A" \(first on line 2\)/,
    ],
    [
      'tickets.csv',
      ['--template', '{{lang}}: {{subjct}}'],
      /^run-batch: .*tickets\.csv:1: template variable "subjct" is not a column/,
    ],
  ])(
    'refuses %s %j with exit 2, one line naming file and line, and sends nothing',
    async (fixture, extra, pattern) => {
      const dir = workdir(fixture);
      const name = fixture.split('/').pop() ?? fixture;
      const result = await runCli([name, ...extra], { cwd: dir, env: env() });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(emulator.stats().requests).toBe(0);
    },
  );
});
