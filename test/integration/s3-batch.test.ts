/**
 * Batch mode writing to an S3 output: the same command from another machine (no local ledger, no
 * local state) collects the job the first one submitted instead of submitting, and paying for,
 * another. (Jobs are found by their content, so this holds even without the job state checkpointed
 * beside the target.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { getText, makeBucket, s3At } from '../helpers/s3-run.js';

const used = useEmulator({ s3Buckets: ['jobs', 'out'], batchStepMs: 30 });
const BATCH = [
  '--mode',
  'batch',
  '--s3',
  's3://jobs/run-batch/',
  '--role-arn',
  'arn:aws:iam::123456789012:role/Batch',
];

/** One machine: its own HOME, XDG data (the ledger) and cache (the staging file). */
function machine(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'machine-'));
  const url = used.emulator.url;
  return {
    ...used.env(),
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    AWS_ENDPOINT_URL_BEDROCK: url,
    AWS_ENDPOINT_URL_S3: url,
    RUN_BATCH_POLL_MS: '50',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

const jobs = () => (used.emulator.stats() as unknown as { batch: { jobs: number } }).batch.jobs;

describe('--mode batch with an S3 output', () => {
  it('another machine collects the job the first submitted: one job, every row once', async () => {
    await makeBucket(s3At(used.emulator.url), 'out');
    const dir = workdir();
    const lines = Array.from({ length: 120 }, (_, i) => `t${i + 1},"Ticket ${i + 1}: my invoice is wrong"`);
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
    const args = ['in.csv', ...BATCH, '-o', 's3://out/night/results.csv'];
    const first = await runCli([...args, '--no-wait'], { cwd: dir, env: machine() });
    expect(first.code, first.stderr).toBe(5);
    expect(jobs()).toBe(1);
    // Another machine, another working directory: only what is in S3.
    const elsewhere = workdir();
    writeFileSync(join(elsewhere, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
    const second = await runCli(args, { cwd: elsewhere, env: machine() });
    expect(second.code, second.stderr).toBe(0);
    expect(jobs()).toBe(1);
    const text = (await getText(s3At(used.emulator.url), 'out', 'night/results.csv')) ?? '';
    const ids = text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect(ids).toEqual(lines.map((_, i) => `t${i + 1}`));
  });
});
