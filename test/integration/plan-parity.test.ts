/**
 * `run` and `estimate` read one row plan, so they refuse exactly the same rows with the same
 * messages. Both commands are called in-process with an injected CommandIO, over the same broken
 * inputs, against an emulator that must see no request at all.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateCommand } from '../../src/commands/estimate.js';
import type { CommandIO } from '../../src/commands/io.js';
import { runCommand } from '../../src/commands/run.js';
import { RunBatchError } from '../../src/errors.js';
import { workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

function io(cwd: string): CommandIO {
  return {
    stdout: () => {},
    stderr: () => {},
    env: { ...used.env(), AWS_EC2_METADATA_DISABLED: 'true' },
    cwd,
    isTTY: false,
    onSignal: () => () => {},
  };
}

async function refusal(
  command: typeof runCommand,
  raw: Record<string, unknown>,
  cwd: string,
): Promise<RunBatchError> {
  try {
    await command(raw, io(cwd));
  } catch (error) {
    if (error instanceof RunBatchError) return error;
    throw error;
  }
  throw new Error(`${command.name} accepted the input`);
}

const MIXED = [
  'id,prompt,max_tokens,temperature',
  '1,Hello,100,',
  '2,Hi,zero,',
  '3,Hey,,7',
  '1,Again,,',
  '4,"Fine",,',
].join('\n');

describe('run and estimate refuse the same rows with the same messages', () => {
  it.each([
    ['a duplicate id', 'broken/duplicate-id.csv', {}],
    ['an unclosed quote', 'broken/unclosed-quote.csv', {}],
    ['a stray quote', 'broken/stray-quote.csv', {}],
    ['no prompt column', 'broken/no-prompt-column.csv', {}],
    ['a line that is not JSON', 'broken/not-json.jsonl', {}],
    [
      '--api invoke with top_k for Titan',
      'prompts.csv',
      { api: 'invoke', 'top-k': '5', model: 'amazon.titan-text-express-v1' },
    ],
    [
      '--api invoke for a family with no body',
      'prompts.csv',
      { api: 'invoke', model: 'cohere.command-r-v1:0' },
    ],
    ['--max-cost with an unpriced model', 'prompts.csv', { 'max-cost': '1', model: 'acme.unknown-v1:0' }],
    ['several different bad rows', 'mixed.csv', {}],
  ])('%s', async (_name, fixture, options) => {
    const file = fixture.split('/').pop() as string;
    const dir = file === 'mixed.csv' ? workdir() : workdir(fixture);
    if (file === 'mixed.csv') writeFileSync(join(dir, file), MIXED);
    const raw = { input: join(dir, file), ...options };
    const run = await refusal(runCommand, raw, dir);
    const estimate = await refusal(estimateCommand, raw, dir);
    expect(run.exitCode).toBe(2);
    expect(estimate.exitCode).toBe(2);
    expect(estimate.message).toBe(run.message);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('names every distinct problem, each on its own line', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'mixed.csv'), MIXED);
    const error = await refusal(runCommand, { input: join(dir, 'mixed.csv') }, dir);
    expect(error.message.split('\n')).toEqual([
      'mixed.csv:3: column "max_tokens" must be a whole number from 1 to 1000000, got "zero"',
      'mixed.csv:4: column "temperature" must be a number from 0 to 1, got "7"',
      'mixed.csv:5: duplicate id "1" (first on line 2)',
      'mixed.csv: 3 bad rows; nothing was sent',
    ]);
  });
});
