/**
 * The model's limits, refused before anything is sent, by `run` and `estimate` alike (exit 2): a
 * --max-tokens over the output limit (named with model and limit), a max_tokens or model column
 * that puts a row over it (named by file and line), and a row over the context window, on an
 * exact count (`estimate --count-tokens api`) or on a local estimate past twice the window. A
 * local estimate over the window but within that margin is a warning naming the row, and the row
 * goes: here the emulator's count finds it fits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({}, 'stats');
const LLAMA3 = 'meta.llama3-8b-instruct-v1:0'; // 2048 output tokens, 8192 context window

function csv(dir: string, lines: string[]): string {
  writeFileSync(join(dir, 'in.csv'), `${lines.join('\n')}\n`);
  return 'in.csv';
}

const COMMANDS = [['run'], ['estimate']] as const;
const argsFor = (command: string, rest: string[]) =>
  command === 'run' ? [...rest, '-o', 'out.jsonl'] : ['estimate', ...rest];

describe.each(COMMANDS)('%s refuses up front', (command) => {
  it('--max-tokens over the default model output limit, naming model and limit', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(argsFor(command, ['prompts.csv', '--max-tokens', '100000']), {
      cwd: dir,
      env: used.env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--max-tokens 100000 is over the output limit of model "global.anthropic.claude-haiku-4-5-20251001-v1:0" (64000 tokens); use --max-tokens 64000 or less',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('a max_tokens or model column over the limit, naming file and line', async () => {
    const dir = workdir();
    const input = csv(dir, [
      'id,prompt,model,max_tokens',
      'a,Hello there,,100',
      `b,Hello there,,70000`,
      `c,Hello there,${LLAMA3},`,
      `d,Hello there,${LLAMA3},2048`,
    ]);
    const result = await runCli(argsFor(command, [input, '--max-tokens', '4000']), {
      cwd: dir,
      env: used.env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'in.csv:3: max_tokens 70000 (the max_tokens column) is over the output limit of model "global.anthropic.claude-haiku-4-5-20251001-v1:0" (64000 tokens)',
    );
    expect(result.stderr).toContain(
      `in.csv:4: max_tokens 4000 (--max-tokens) is over the output limit of model "${LLAMA3}" (2048 tokens)`,
    );
    expect(result.stderr).not.toMatch(/in\.csv:[25]:/);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('a row whose local estimate is past twice the context window, naming the row', async () => {
    const dir = workdir();
    // 100 KB: about 25,000 tokens at 4 characters a token, three times Llama 3's 8,192.
    const input = csv(dir, ['id,prompt', 'small,Hello there', `big,${'abcdef '.repeat(14_300)}`]);
    const result = await runCli(argsFor(command, [input, '-m', LLAMA3]), { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /in\.csv:3: row "big" is about 25025 input tokens \(4 characters a token\), over the context window of model "meta\.llama3-8b-instruct-v1:0" \(8192 tokens\) by more than 2 times/,
    );
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('a row estimated over the context window but within the margin', () => {
  // 40 KB of six-letter words: about 10,000 tokens on the estimate (over 8,192, under twice it);
  // the emulator counts one token a word, about 5,700, so the row fits.
  const lines = ['id,prompt', 'small,Hello there', `long,${'abcdef '.repeat(5_715)}`];

  it.each(COMMANDS)('%s warns, naming the row, and goes on', async (command) => {
    const dir = workdir();
    const input = csv(dir, lines);
    const result = await runCli(argsFor(command, [input, '-m', LLAMA3]), { cwd: dir, env: used.env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /line 3: row "long" is about 10002 input tokens .*\(8192 tokens\); it may still fit .*estimate --count-tokens api/,
    );
    if (command === 'run')
      expect(readJsonl(join(dir, 'out.jsonl')).map((r) => r.status)).toEqual(['ok', 'ok']);
  });
});

describe('estimate --count-tokens api', () => {
  it('refuses a row CountTokens puts over the window, though the estimate did not', async () => {
    const dir = workdir();
    // 200,500 dots: 50,125 tokens on the local estimate, 200,500 on the emulator's count (a token
    // a punctuation mark), over Claude Haiku 4.5's 200,000: CountTokens refuses it as too long
    // (a count over the window is refused the same way: test/unit/limits.test.ts).
    const input = csv(dir, ['id,prompt', 'small,Hello there', `dots,${'.'.repeat(200_500)}`]);
    const local = await runCli(['estimate', input], { cwd: dir, env: used.env() });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).not.toContain('context window');
    const exact = await runCli(['estimate', input, '--count-tokens', 'api'], { cwd: dir, env: used.env() });
    expect(exact.code).toBe(2);
    expect(exact.stderr).toContain(
      'in.csv:3: row "dots" is over the context window of model "global.anthropic.claude-haiku-4-5-20251001-v1:0" (200000 tokens): CountTokens answered "Input is too long for requested model."',
    );
    expect(exact.stderr).not.toContain('--count-tokens local');
    expect(used.emulator.stats().byOperation['count-tokens']).toMatchObject({ ok: 1 });
  });
});
