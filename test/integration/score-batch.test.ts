/**
 * --expect in batch mode: the answers Batch Inference returned are scored as on-demand ones are.
 * The expected values are made from a first batch run's replies (the emulator answers the same
 * request the same way), so the second run's accuracy is known: 90 of 120.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ s3Buckets: ['jobs'], batchStepMs: 30 });
const BATCH = [
  '--mode',
  'batch',
  '--s3',
  's3://jobs/run-batch/',
  '--role-arn',
  'arn:aws:iam::123456789012:role/Batch',
];
const rows = (path: string) => parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;

describe('--expect with --mode batch', () => {
  it('scores the answers Batch Inference returned: 90 of 120', async () => {
    const dir = workdir();
    const env = {
      ...used.env(),
      AWS_ENDPOINT_URL_BEDROCK: used.emulator.url,
      AWS_ENDPOINT_URL_S3: used.emulator.url,
      RUN_BATCH_POLL_MS: '50',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const prompts = Array.from({ length: 120 }, (_, i) => ({ id: `t${i + 1}`, prompt: `Ticket ${i + 1}` }));
    writeFileSync(join(dir, 'in.csv'), stringify(prompts, { header: true }));
    expect((await runCli(['in.csv', ...BATCH, '--no-ledger'], { cwd: dir, env })).code).toBe(0);
    const replies = rows(join(dir, 'in.results.csv')).map((r) => r.response);
    // Every fourth row expects something else: 30 misses.
    const labelled = prompts.map((p, i) => ({ ...p, label: i % 4 === 3 ? 'something else' : replies[i] }));
    writeFileSync(join(dir, 'in.csv'), stringify(labelled, { header: true }));
    const result = await runCli(
      ['in.csv', ...BATCH, '--no-ledger', '-o', 'scored.csv', '--expect', 'label'],
      {
        cwd: dir,
        env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('score     90 of 120 match (75.0%)');
    const out = rows(join(dir, 'scored.csv'));
    expect(out.map((r) => r.service_tier)).toEqual(Array(120).fill('batch'));
    expect(out.map((r) => r.match)).toEqual(labelled.map((_, i) => String(i % 4 !== 3)));
  });
});
