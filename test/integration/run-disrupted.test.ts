/**
 * A run against what happens to it while it runs (issue 9): a closed terminal (SIGHUP), Ctrl-\
 * (SIGQUIT), a closed stderr pipe, an endpoint that dies, a budget with many calls in flight, a
 * response without usage, an answer that cannot be serialized or priced, inputs that can be read
 * only once, and an input that changes under the run. Checked by counting rows and calls.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.js';
import { BIN, FAKE_AWS_ENV, readJsonl, runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ latencyMs: 150 });

function jsonlInput(dir: string, rows: number): void {
  const lines = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({ id: `r${i + 1}`, prompt: `Question ${i + 1}` }),
  );
  writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
}

const results = (dir: string) => readJsonl(join(dir, 'in.results.jsonl'));

describe('every signal and pipe has an answer', () => {
  it.each(['SIGHUP', 'SIGQUIT'] as const)(
    '%s finishes the calls in flight, writes the summary, leaves no lock: exit 3',
    async (signal) => {
      const dir = workdir();
      jsonlInput(dir, 80);
      const child = startCli(['in.jsonl', '-c', '4'], { cwd: dir, env: used.env() });
      await waitFor(
        () => existsSync(join(dir, 'in.results.jsonl')) && results(dir).length >= 8,
        '8 rows written',
        {
          child,
        },
      );
      child.process.kill(signal);
      expect(await child.exited).toBe(3);
      const okBefore = results(dir).filter((r) => r.status === 'ok').length;
      expect(used.emulator.stats().byModel ? okBefore : okBefore).toBeGreaterThanOrEqual(8);
      expect(existsSync(join(dir, 'in.results.jsonl.lock'))).toBe(false);
      expect(existsSync(join(dir, 'in.results.jsonl.reserve'))).toBe(false);
      const summary = JSON.parse(readFileSync(join(dir, 'in.results.jsonl.summary.json'), 'utf8'));
      expect(summary.exitCode).toBe(3);
      // Every answer paid for was written: the calls that ended ok equal the ok rows.
      expect(used.emulator.stats().ok).toBe(okBefore);
      const again = await runCli(['in.jsonl'], { cwd: dir, env: used.env() });
      expect(again.code).toBe(0);
      expect(results(dir).map((r) => r.id)).toEqual(Array.from({ length: 80 }, (_, i) => `r${i + 1}`));
      expect(used.emulator.stats().ok).toBe(80);
    },
  );

  it('a closed stderr pipe stops the logging, not the run', async () => {
    const dir = workdir();
    jsonlInput(dir, 30);
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(
        'bash',
        [
          '-c',
          `"${process.execPath}" "${BIN}" in.jsonl 2>&1 | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}" > status`,
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: dir,
            ...used.env(),
            RUN_BATCH_PROGRESS_INTERVAL_MS: '50',
          },
        },
      );
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'status'), 'utf8').trim()).toBe('0');
    expect(results(dir).filter((r) => r.status === 'ok')).toHaveLength(30);
    expect(existsSync(join(dir, 'in.results.jsonl.lock'))).toBe(false);
  });
});

describe('a dying endpoint stops the run', () => {
  it('after a streak of connection failures mid-run, with exit 3 and a message', async () => {
    const emulator = await startEmulator({ port: 0, latencyMs: 50 });
    const dir = workdir();
    jsonlInput(dir, 400);
    const env = { ...FAKE_AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
    const child = startCli(['in.jsonl', '-c', '4', '--max-attempts', '2', '--backoff-base', '10'], {
      cwd: dir,
      env,
    });
    await waitFor(() => emulator.stats().ok >= 20, '20 rows ok', { child });
    await emulator.close();
    expect(await child.exited).toBe(3);
    expect(child.stderr()).toMatch(/the last \d+ rows all failed with ECONNREFUSED/);
    expect(JSON.parse(readFileSync(join(dir, 'in.results.jsonl.summary.json'), 'utf8')).stop).toMatchObject({
      reason: 'failing-endpoint',
      kind: 'soft',
    });
    const failed = results(dir).filter((r) => r.status === 'error');
    // At most one streak of rows (10, or 2 x -c) plus the calls in flight, not the 380 left.
    expect(failed.length).toBeGreaterThanOrEqual(10);
    expect(failed.length).toBeLessThanOrEqual(10 + 4);
  });
});

describe('--max-cost waits for the calls in flight before calling the budget spent', () => {
  it('spends close to the budget with -c 16, never past it', async () => {
    const dir = workdir();
    jsonlInput(dir, 300);
    const result = await runCli(['in.jsonl', '--max-cost', '0.01', '-c', '16'], {
      cwd: dir,
      env: used.env(),
    });
    expect(result.code).toBe(3);
    const summary = JSON.parse(readFileSync(join(dir, 'in.results.jsonl.summary.json'), 'utf8'));
    expect(summary.costUsd).toBeLessThanOrEqual(0.01);
    // One row's worst case (512 output tokens of Claude Haiku 4.5 at $0.005/1K = $0.00256, plus
    // its input) is the most that can be left unspent.
    expect(summary.costUsd).toBeGreaterThan(0.01 - 0.0027);
  });
});

describe('inputs that can be read only once', () => {
  it('a process substitution is spooled and runs every row', async () => {
    const dir = workdir('prompts.csv');
    const code = await new Promise<number | null>((resolve) =>
      execFile(
        'bash',
        ['-c', `"${process.execPath}" "${BIN}" <(cat prompts.csv) --input-format csv -o out.csv`],
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: dir, ...used.env() },
        },
      ).on('exit', resolve),
    );
    expect(code).toBe(0);
    expect(
      readFileSync(join(dir, 'out.csv'), 'utf8')
        .split('\n')
        .filter((l) => /,ok,/.test(l)),
    ).toHaveLength(25);
  });

  it('a pipe as /dev/stdin without -o is refused up front', async () => {
    const dir = workdir('prompts.csv');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      let stderr = '';
      const child = execFile(
        'bash',
        ['-c', `cat prompts.csv | "${process.execPath}" "${BIN}" /dev/stdin --input-format csv`],
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: dir, ...used.env() },
        },
      );
      child.stderr?.on('data', (d) => (stderr += String(d)));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a regular file .*-o/);
  });

  it('a FIFO nobody writes to still answers SIGINT', async () => {
    const dir = workdir();
    await new Promise((resolve) => execFile('mkfifo', [join(dir, 'in.csv')]).on('exit', resolve));
    const child = startCli(['in.csv', '-o', 'out.csv'], { cwd: dir, env: used.env() });
    // The lock is taken before the input is read: from then on the run is listening for signals.
    await waitFor(() => existsSync(join(dir, 'out.csv.lock')), 'the lock', { child });
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(3);
  });
});

describe('nothing between the answer and the disk loses it', () => {
  it('a row nested too deep to copy into the results keeps its answer, and is not paid again', async () => {
    const dir = workdir();
    let deep = '1';
    for (let i = 0; i < 20_000; i++) deep = `{"a":${deep}}`;
    writeFileSync(
      join(dir, 'in.jsonl'),
      `{"id":"deep","prompt":"Hello","extra":${deep}}\n{"id":"flat","prompt":"Hi"}\n`,
    );
    const first = await runCli(['in.jsonl'], { cwd: dir, env: used.env() });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('its input cannot be copied into the results');
    expect(results(dir).map((r) => [r.id, r.status])).toEqual([
      ['deep', 'ok'],
      ['flat', 'ok'],
    ]);
    used.emulator.resetStats();
    expect((await runCli(['in.jsonl'], { cwd: dir, env: used.env() })).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('a price that overflows leaves the cost empty with a warning, the answer kept', async () => {
    const dir = workdir();
    jsonlInput(dir, 3);
    writeFileSync(
      join(dir, 'prices.json'),
      JSON.stringify({
        models: { 'global.anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1e308, output: 1e308 } },
      }),
    );
    const first = await runCli(['in.jsonl', '--pricing', 'prices.json'], { cwd: dir, env: used.env() });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/cannot price .*its rows get an empty cost_usd/);
    expect(results(dir).every((r) => r.status === 'ok' && r.cost_usd === null)).toBe(true);
    used.emulator.resetStats();
    expect((await runCli(['in.jsonl'], { cwd: dir, env: used.env() })).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('a response without usable token counts', () => {
  function stub(body: object): Promise<Server> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'stub' });
        res.end(JSON.stringify(body));
      });
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  }
  it.each([
    ['no usage', {}],
    ['negative counts', { usage: { inputTokens: -5, outputTokens: 3, totalTokens: -2 } }],
  ])('%s: empty tokens and cost, never a silent 0', async (_name, usage) => {
    const server = await stub({
      output: { message: { role: 'assistant', content: [{ text: 'hi' }] } },
      stopReason: 'end_turn',
      ...usage,
    });
    const dir = workdir();
    jsonlInput(dir, 2);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await runCli(['in.jsonl'], {
      cwd: dir,
      env: { ...FAKE_AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url },
    });
    server.close();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('had no usable token counts');
    for (const row of results(dir)) {
      expect(row.status).toBe('ok');
      expect(row.input_tokens).toBeNull();
      expect(row.cost_usd).toBeNull();
    }
  });
});
