/**
 * `--tag` in batch mode: Batch Inference records take no request metadata, so the run's tags go on
 * the job (CreateModelInvocationJob `tags`, read back with ListTagsForResource); a tag resource
 * tags cannot hold is left off the job with a warning; the tags are no part of the job's identity,
 * so a rerun under other tags collects the same job rather than making another. Counted on the
 * emulator's stats.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BedrockClient,
  ListModelInvocationJobsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-bedrock';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, runCli, workdir } from '../helpers/cli.js';
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

function env(): Record<string, string> {
  const url = used.emulator.url;
  return { ...used.env(), AWS_ENDPOINT_URL_BEDROCK: url, AWS_ENDPOINT_URL_S3: url, RUN_BATCH_POLL_MS: '50' };
}

describe('--tag with --mode batch', () => {
  it('tags the job, warns of a tag a job cannot carry, and sends no request metadata', async () => {
    const dir = workdir();
    const lines = Array.from({ length: 120 }, (_, i) => `t${i + 1},Ticket ${i + 1}`);
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
    const result = await runCli(['in.csv', ...BATCH, '--tag', 'team=support', '--tag', 'cost=$5'], {
      cwd: dir,
      env: env(),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/--tag cost: not put on the batch jobs/);
    const client = new BedrockClient({
      endpoint: used.emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    try {
      const listed = await client.send(new ListModelInvocationJobsCommand({}));
      const arns = (listed.invocationJobSummaries ?? []).map((j) => j.jobArn as string);
      expect(arns).toHaveLength(1);
      const tags = await client.send(new ListTagsForResourceCommand({ resourceARN: arns[0] }));
      expect(tags.tags).toEqual([{ key: 'team', value: 'support' }]);
    } finally {
      client.destroy();
    }
    const rows = parse(readFileSync(join(dir, 'in.results.csv')), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(
      rows.every((r) => r.service_tier === 'batch' && r.request_tags === '{"team":"support","cost":"$5"}'),
    ).toBe(true);
    // No on-demand call, so no request metadata anywhere.
    expect(used.emulator.stats().requestMetadata).toEqual([]);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('a rerun under other tags collects the job the first run submitted: tags are no part of its identity', async () => {
    const dir = workdir();
    const lines = Array.from({ length: 120 }, (_, i) => `t${i + 1},Ticket ${i + 1}`);
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
    const first = await runCli(['in.csv', ...BATCH, '--no-wait', '--tag', 'team=support'], {
      cwd: dir,
      env: env(),
    });
    expect([0, 5]).toContain(first.code);
    const second = await runCli(['in.csv', ...BATCH, '--tag', 'team=billing'], { cwd: dir, env: env() });
    expect(second.code).toBe(0);
    expect((used.emulator.stats() as unknown as { batch: { jobs: number } }).batch.jobs).toBe(1);
    expect(used.emulator.stats().requests).toBe(0);
  });
});
