/**
 * `estimate` and `show-request` with several models: each model in turn, nothing sent. The
 * estimate of each model is the one `-m` with that model alone prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';

const MODELS = ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'us.amazon.nova-lite-v1:0'] as const;

function input(): string {
  const dir = workdir();
  writeFileSync(join(dir, 'in.csv'), 'id,prompt\nr1,Where is my invoice?\nr2,Refund me\n');
  return dir;
}

describe('several models in the commands that send nothing', () => {
  it('estimate prints each model estimate as -m with it alone does, text and json', async () => {
    const dir = input();
    const both = await runCli(['estimate', 'in.csv', '-m', MODELS.join(',')], { cwd: dir });
    expect(both.code, both.stderr).toBe(0);
    for (const model of MODELS) {
      const alone = await runCli(['estimate', 'in.csv', '-m', model], { cwd: dir });
      expect(both.stdout).toContain(`model     ${model}\n${alone.stdout}`);
    }
    expect(both.stdout).toContain('note      each duration is the model alone');
    const json = await runCli(['estimate', 'in.csv', '-m', MODELS.join(','), '--format', 'json'], {
      cwd: dir,
    });
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { models: Array<{ model: string; rows: number }> };
    expect(parsed.models.map((m) => [m.model, m.rows])).toEqual(MODELS.map((m) => [m, 2]));
  });

  it('show-request prints the request of each model in turn', async () => {
    const dir = input();
    const result = await runCli(['show-request', 'in.csv', '--row', 'r2', '-m', MODELS.join(',')], {
      cwd: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/^POST .*$/gm)).toEqual(MODELS.map((m) => `POST /model/${m}/converse`));
  });
});
