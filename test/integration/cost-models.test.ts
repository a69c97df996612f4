/**
 * Today's models through the real CLI: the default (Claude Haiku 4.5 through the global. profile)
 * runs on --emulate with no setup; a base id that only a profile serves and an end-of-life id are
 * refused before any call, with a message naming what to use instead.
 */
import { describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

describe('the default model', () => {
  it('runs on --emulate and is priced at its global. price', async () => {
    const dir = workdir('prompts.jsonl');
    const result = await runCli(['prompts.jsonl', '--emulate', '-o', 'out.jsonl'], {
      cwd: dir,
      env: { AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect(result.code, result.stderr).toBe(0);
    const rows = readJsonl(`${dir}/out.jsonl`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'ok', model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0' });
      // $1 and $5 per 1M tokens: 1,000,000 and 5,000,000 picodollars per token.
      const expected =
        BigInt(Number(row.input_tokens)) * 1_000_000n + BigInt(Number(row.output_tokens)) * 5_000_000n;
      expect(BigInt(Math.round(Number(row.cost_usd) * 1e12))).toBe(expected);
    }
  });
});

describe('model ids refused before anything is sent', () => {
  it.each([
    [
      'anthropic.claude-haiku-4-5-20251001-v1:0',
      'can only be called through an inference profile: use global.anthropic.claude-haiku-4-5-20251001-v1:0 (any commercial region, no regional premium), or us.anthropic.claude-haiku-4-5-20251001-v1:0, eu.',
    ],
    [
      'anthropic.claude-3-haiku-20240307-v1:0',
      'reached end of life on Bedrock (2026-09) and its calls fail; use global.anthropic.claude-haiku-4-5-20251001-v1:0 instead',
    ],
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'reached end of life on Bedrock (2026-06)'],
  ])('%s: exit 2 with a clear message, no call', async (model, message) => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '-m', model], { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`prompts.csv:2: model "${model}" ${message}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('names the per-row model and line when a model column asks for one', async () => {
    const dir = workdir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/rows.csv`, 'id,model,prompt\na,,hi\nb,anthropic.claude-3-opus-20240229-v1:0,hi\n');
    const result = await runCli(['rows.csv'], { cwd: dir, env: { ...FAKE_AWS_ENV, ...used.env() } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /rows\.csv:3: model "anthropic\.claude-3-opus-20240229-v1:0" reached end of life/,
    );
    expect(used.emulator.stats().requests).toBe(0);
  });
});
