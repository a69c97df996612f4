/**
 * Several models from code, as the package exports them: resolveModels gives a spec per model,
 * runModels runs them together over one injected client and returns a summary per model, progress
 * named by model, and the totals adding up to the models' own figures.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { type Progress, resolveModels, runModels } from '../../src/index.js';
import { readJsonl, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const MODELS = ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'us.amazon.nova-micro-v1:0'];

describe('runModels', () => {
  it('runs a spec per model and returns a summary each, with the totals', async () => {
    const dir = workdir();
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ id: `r${i + 1}`, prompt: `Question ${i + 1}` }),
    );
    writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: used.emulator.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    const specs = resolveModels(
      { input: 'in.jsonl', model: MODELS.join(','), concurrency: '3', ledger: join(dir, 'ledger.db') },
      { cwd: dir, env: {} },
    ).map((run) => run.spec);
    expect(specs.map((s) => s.output)).toEqual([
      join(dir, 'in.global.anthropic.claude-haiku-4-5-20251001-v1-0.results.jsonl'),
      join(dir, 'in.us.amazon.nova-micro-v1-0.results.jsonl'),
    ]);
    const progress = new Map<string, Progress>();
    const summary = await runModels(specs, {
      client,
      cwd: dir,
      env: {},
      onProgress: (model, p) => progress.set(model, p),
    });
    expect(summary.exitCode).toBe(0);
    expect(summary.models.map((m) => [m.model, m.exitCode, m.summary?.rows.ok])).toEqual([
      [MODELS[0], 0, 12],
      [MODELS[1], 0, 12],
    ]);
    expect([...progress.entries()].map(([m, p]) => [m, p.done])).toEqual([
      [MODELS[0], 12],
      [MODELS[1], 12],
    ]);
    expect(summary.rows.ok).toBe(24);
    expect(summary.attempts).toBe(24);
    expect(used.emulator.stats().requests).toBe(24);
    expect(summary.peakInFlight).toBeLessThanOrEqual(3);
    const cost = summary.models.reduce((s, m) => s + (m.summary?.costUsd ?? 0), 0);
    expect(summary.costUsd).toBeCloseTo(cost, 12);
    for (const spec of specs)
      expect(readJsonl(spec.output).map((r) => r.model)).toEqual(Array(12).fill(spec.model));
  });
});
