/**
 * `run-batch completion bash|zsh|fish`: the scripts come from the option tables. The bash one is
 * sourced in a real bash and its completion function driven as bash drives it (COMP_WORDS,
 * COMP_CWORD -> COMPREPLY).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';

let dir: string;
let script: string;

beforeAll(async () => {
  dir = workdir('prompts.csv');
  const result = await runCli(['completion', 'bash']);
  expect(result.code, result.stderr).toBe(0);
  script = join(dir, 'run-batch.bash');
  writeFileSync(script, result.stdout);
});

/** What bash offers for the words typed, the last one being completed. */
function complete(...words: string[]): string[] {
  const array = words.map((w) => `'${w}'`).join(' ');
  const driver = `source '${script}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _run_batch; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const bash = spawnSync('bash', ['--norc', '--noprofile', '-c', driver], { cwd: dir, encoding: 'utf8' });
  expect(bash.stderr).toBe('');
  expect(bash.status).toBe(0);
  return bash.stdout.split('\n').filter((line) => line !== '');
}

describe('bash completion', () => {
  it('completes run-batch --conc to --concurrency', () => {
    expect(complete('run-batch', '--conc')).toEqual(['--concurrency']);
  });

  it("completes each command's own options only", () => {
    expect(complete('run-batch', 'estimate', 'prompts.csv', '--fre')).toEqual([]);
    expect(complete('run-batch', 'prompts.csv', '--fre')).toEqual(['--fresh']);
    expect(complete('run-batch', 'estimate', '--count')).toEqual(['--count-tokens']);
    expect(complete('run-batch', 'emulator', '--po')).toEqual(['--port']);
    expect(complete('run-batch', '--no-ad')).toEqual(['--no-adaptive']);
  });

  it("completes an option's choices, commands and files", () => {
    expect(complete('run-batch', '--api', '')).toEqual(['converse', 'invoke']);
    expect(complete('run-batch', 'estimate', '--format', '')).toEqual(['text', 'json']);
    expect(complete('run-batch', 'report', '--format', 'h')).toEqual(['html']);
    expect(complete('run-batch', 'est')).toEqual(['estimate']);
    expect(complete('run-batch', 'prompts.csv', '-o', 'pro')).toEqual(['prompts.csv']);
  });
});

describe('zsh and fish', () => {
  it.each(['zsh', 'fish'])('%s: a script naming every option', async (shell) => {
    const result = await runCli(['completion', shell]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(shell === 'zsh' ? "'--concurrency[" : '-l concurrency -s c');
    // Parsed by the shell itself where it is installed.
    const check = spawnSync(shell, ['-n'], { input: result.stdout, encoding: 'utf8' });
    if (check.error === undefined) expect(check.status, check.stderr).toBe(0);
  });

  it('an unknown shell is exit 2', async () => {
    const result = await runCli(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('choose bash, zsh or fish');
  });
});
