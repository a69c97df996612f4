/**
 * run-batch's own side of every API (Converse, ConverseStream, InvokeModel,
 * InvokeModelWithResponseStream) and model family, end to end against the emulator: stop reasons
 * in Converse's vocabulary, usage read from bodies, headers or stream metrics, first_token_ms.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const MODELS = [
  'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'amazon.nova-micro-v1:0',
  'amazon.titan-text-express-v1',
  'meta.llama3-8b-instruct-v1:0',
  'mistral.mistral-7b-instruct-v0:2',
  'mistral.mistral-large-2407-v1:0',
];

const used = useEmulator();

function input(dir: string): string {
  const lines = ['id,model,prompt,max_tokens'];
  MODELS.forEach((model, i) => {
    lines.push(`long-${i},${model},Tell me about the weather today [[emulator:tokens=30]],10`);
    lines.push(`short-${i},${model},Tell me about the weather today [[emulator:tokens=6]],10`);
  });
  writeFileSync(join(dir, 'models.csv'), `${lines.join('\n')}\n`);
  return 'models.csv';
}

describe.each([
  ['converse', false],
  ['converse', true],
  ['invoke', false],
  ['invoke', true],
] as const)('--api %s, stream %s', (api, stream) => {
  it('reads every family into the same fields and Converse stop reasons', async () => {
    const dir = workdir();
    const args = [input(dir), '--api', api, '-o', 'out.jsonl', ...(stream ? ['--stream'] : [])];
    const result = await runCli(args, {
      cwd: dir,
      env: used.env(),
    });
    expect(result.stderr).toMatch(/14 ok, 0 error/);
    expect(result.code).toBe(0);
    const rows = readJsonl(join(dir, 'out.jsonl'));
    for (const row of rows) {
      const long = String(row.id).startsWith('long');
      expect(row.stop_reason, String(row.id)).toBe(long ? 'max_tokens' : 'end_turn');
      expect(row.output_tokens, String(row.id)).toBe(long ? 10 : 6);
      expect(Number(row.input_tokens)).toBeGreaterThan(0);
      expect(row.total_tokens).toBe(Number(row.input_tokens) + Number(row.output_tokens));
      expect(String(row.response).length).toBeGreaterThan(0);
      if (stream) expect(row.first_token_ms).toEqual(expect.any(Number));
      else expect(row).not.toHaveProperty('first_token_ms');
    }
    // The usage recorded is the usage the emulator counted, token for token.
    const stats = used.emulator.stats();
    expect(stats.requests).toBe(14);
    expect(rows.reduce((n, r) => n + Number(r.input_tokens), 0)).toBe(stats.inputTokens);
    expect(rows.reduce((n, r) => n + Number(r.output_tokens), 0)).toBe(stats.outputTokens);
    expect(Object.keys(stats.byOperation)).toEqual([
      api === 'converse'
        ? stream
          ? 'converse-stream'
          : 'converse'
        : stream
          ? 'invoke-with-response-stream'
          : 'invoke',
    ]);
  });
});

describe('batch-inference records', () => {
  it('sends modelInput as it is through InvokeModel, with recordId as the id', async () => {
    const dir = workdir();
    const record = (id: string, body: object) => JSON.stringify({ recordId: id, modelInput: body });
    writeFileSync(
      join(dir, 'batch.jsonl'),
      `${[
        record('CALL001', {
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'Hi there [[emulator:tokens=20]]' }],
        }),
        record('CALL002', { prompt: 'Hi there', max_gen_len: 64 }),
      ].join('\n')}\n`,
    );
    const result = await runCli(['batch.jsonl', '-m', 'meta.llama3-8b-instruct-v1:0'], {
      cwd: dir,
      env: used.env(),
    });
    // The first record names no model of its own, so it goes to -m's Llama with an Anthropic
    // body: Bedrock refuses it, and so does the emulator.
    expect(result.code).toBe(1);
    const rows = readJsonl(join(dir, 'batch.results.jsonl'));
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['CALL001', 'error'],
      ['CALL002', 'ok'],
    ]);
    expect(rows[0]?.error_code).toBe('ValidationException');
    expect(used.emulator.stats().byOperation.invoke?.requests).toBe(2);
  });

  it('refuses --api invoke for a model family it has no body for, before sending anything', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '--api', 'invoke', '-m', 'cohere.command-r-v1:0'], {
      cwd: dir,
      env: used.env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /prompts\.csv:2: no InvokeModel body is known for model "cohere\.command-r-v1:0"/,
    );
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('settings a model cannot take', () => {
  it.each([
    [
      ['--top-k', '40', '-m', 'meta.llama3-8b-instruct-v1:0'],
      /top_k cannot be sent to "meta\.llama3-8b-instruct-v1:0" through --api converse/,
    ],
    [
      ['--api', 'invoke', '--stop', 'END', '-m', 'meta.llama3-8b-instruct-v1:0'],
      /stop sequences cannot be sent to "meta\.llama3-8b-instruct-v1:0" through --api invoke/,
    ],
    [
      ['--api', 'invoke', '--top-k', '5', '-m', 'amazon.titan-text-express-v1'],
      /top_k cannot be sent to "amazon\.titan-text-express-v1" through --api invoke/,
    ],
  ])('refuses %j before sending anything', async (args, pattern) => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', ...args], { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(used.emulator.stats().requests).toBe(0);
  });
});
