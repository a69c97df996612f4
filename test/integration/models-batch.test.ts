/**
 * Several models at once in batch mode, on the emulator's control plane and S3: one job per model,
 * each model's results file answered by Batch Inference at batch prices, a rerun collecting
 * nothing new (no job, no call); and --no-wait leaving both models' jobs running: exit 5, then a
 * later run collects them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { modelSlug } from '../../src/job/models.js';
import { ledgerEnv, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ s3Buckets: ['jobs'], batchStepMs: 30 });
const MODELS = ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'us.amazon.nova-lite-v1:0'] as const;
const BATCH = [
  '--mode',
  'batch',
  '--s3',
  's3://jobs/run-batch/',
  '--role-arn',
  'arn:aws:iam::123456789012:role/Batch',
];

function env(): Record<string, string> {
  const url = used.emulator.url;
  return {
    ...used.env(),
    ...ledgerEnv(),
    AWS_ENDPOINT_URL_BEDROCK: url,
    AWS_ENDPOINT_URL_S3: url,
    RUN_BATCH_POLL_MS: '50',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

const rows = (path: string) => parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;
const jobs = () => (used.emulator.stats() as unknown as { batch: { jobs: number } }).batch.jobs;

function input(): string {
  const dir = workdir();
  const lines = Array.from({ length: 120 }, (_, i) => `t${i + 1},"Ticket ${i + 1}: my invoice is wrong"`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
  return dir;
}

describe('-m a,b with --mode batch', () => {
  it('runs one job per model, each file answered in batch; a rerun submits nothing', async () => {
    const dir = input();
    const args = ['in.csv', '-m', MODELS.join(','), ...BATCH];
    const result = await runCli(args, { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(jobs()).toBe(2);
    for (const model of MODELS) {
      const file = rows(join(dir, `in.${modelSlug(model)}.results.csv`));
      expect(file.map((r) => r.id)).toEqual(Array.from({ length: 120 }, (_, i) => `t${i + 1}`));
      expect(file.every((r) => r.status === 'ok' && r.service_tier === 'batch' && r.model === model)).toBe(
        true,
      );
    }
    expect(result.stderr).toMatch(/^total {5}240 rows: 240 ok, 0 error/m);
    used.emulator.resetStats();
    const again = await runCli(args, { cwd: dir, env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(jobs()).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
  }, 120_000);

  it('--no-wait leaves both jobs running (exit 5); the same command later collects them', async () => {
    const dir = input();
    const args = ['in.csv', '-m', MODELS.join(','), ...BATCH];
    const left = await runCli([...args, '--no-wait'], { cwd: dir, env: env() });
    expect(left.code, left.stderr).toBe(5);
    expect(jobs()).toBe(2);
    const collected = await runCli(args, { cwd: dir, env: env() });
    expect(collected.code, collected.stderr).toBe(0);
    expect(jobs()).toBe(2); // collected, not submitted again
    for (const model of MODELS)
      expect(
        rows(join(dir, `in.${modelSlug(model)}.results.csv`)).every((r) => r.service_tier === 'batch'),
      ).toBe(true);
  }, 120_000);
});
