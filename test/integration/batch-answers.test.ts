/**
 * Batch records carry what an on-demand call would send, and their answers are judged as on-demand
 * answers are: with `--json-schema --api invoke` each record holds the schema (Anthropic's
 * `output_config`), its JSON answer lands in the json_* columns, and an answer that is not JSON
 * (cut off by max_tokens) is an error row, paid and priced at the batch price, never an ok row
 * with empty columns. `--attach`, whose files no record carries, is refused in batch mode and
 * runs on demand under auto.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({ s3Buckets: ['jobs'], batchStepMs: 10 });
const BATCH = [
  '--mode',
  'batch',
  '--s3',
  's3://jobs/rb/',
  '--role-arn',
  'arn:aws:iam::123456789012:role/Batch',
];
const SCHEMA = join(ROOT, 'jobs/ticket-triage.schema.json');

function env(): Record<string, string> {
  const url = used.emulator.url;
  return { ...used.env(), AWS_ENDPOINT_URL_BEDROCK: url, AWS_ENDPOINT_URL_S3: url, RUN_BATCH_POLL_MS: '50' };
}

function input(dir: string, rows: number, extra = ''): void {
  const lines = Array.from(
    { length: rows },
    (_, i) => `t${i + 1},Ticket ${i + 1}: my invoice is wrong${extra}`,
  );
  writeFileSync(join(dir, 'in.csv'), `id,prompt${extra ? ',files' : ''}\n${lines.join('\n')}\n`);
}

const rows = (dir: string, name: string) =>
  parse(readFileSync(join(dir, name)), { columns: true }) as Array<Record<string, string>>;

describe('batch records and their answers under --json-schema', () => {
  it('--api invoke: every record holds the schema, and every answer is in its json columns', async () => {
    const dir = workdir();
    input(dir, 100);
    const result = await runCli(
      ['in.csv', ...BATCH, '--json-schema', SCHEMA, '--api', 'invoke', '-o', 'out.csv'],
      {
        cwd: dir,
        env: env(),
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = rows(dir, 'out.csv');
    expect(out).toHaveLength(100);
    expect(out.every((r) => r.status === 'ok' && r.service_tier === 'batch')).toBe(true);
    const categories = JSON.parse(readFileSync(SCHEMA, 'utf8')).properties.category.enum as string[];
    expect(out.every((r) => categories.includes(r.json_category as string))).toBe(true);
    expect(used.emulator.stats().requests).toBe(0); // answered by the job, not on demand
  });

  it('an answer cut off by max_tokens is an error row, paid at the batch price', async () => {
    const dir = workdir();
    input(dir, 100);
    const args = ['in.csv', ...BATCH, '--json-schema', SCHEMA, '--api', 'invoke', '--max-tokens', '5'];
    const result = await runCli([...args, '-o', 'cut.csv'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    const cut = rows(dir, 'cut.csv');
    expect(cut.every((r) => r.status === 'error' && r.error_code === 'InvalidJson')).toBe(true);
    expect(cut.every((r) => r.service_tier === 'batch' && Number(r.cost_usd) > 0)).toBe(true);
    expect(cut[0]?.error_message).toMatch(/the batch job's answer: the answer was cut off by max_tokens/);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('--attach: --mode batch is refused before anything is sent; auto runs on demand', async () => {
    const dir = workdir();
    cpSync(join(FIXTURES, 'attachments/login-error.png'), join(dir, 'img.png'));
    input(dir, 100, ',img.png');
    const batch = await runCli(['in.csv', ...BATCH, '--attach', 'files', '-o', 'a.csv'], {
      cwd: dir,
      env: env(),
    });
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(
      /--mode batch cannot run this job: --attach files are not put in batch records/,
    );
    const auto = BATCH.map((a) => (a === 'batch' ? 'auto' : a));
    const result = await runCli(['in.csv', ...auto, '--attach', 'files', '--no-reuse', '-o', 'b.csv'], {
      cwd: dir,
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/--mode auto runs on demand: --attach/);
    expect(used.emulator.stats().requests).toBe(100);
    expect((used.emulator.stats() as unknown as { batch: { jobs: number } }).batch.jobs).toBe(0);
  });
});
