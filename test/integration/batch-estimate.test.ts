/** `estimate --mode batch`: sends nothing, so it needs no --s3 or --role-arn; the minimum as `run` checks it; a batch duration. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';

function input(count: number): string {
  const dir = workdir();
  const lines = Array.from({ length: count }, (_, i) => `t${i + 1},"Ticket ${i + 1}"`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
  return dir;
}

const env = { AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' };

describe('estimate --mode batch', () => {
  it('needs no --s3 or --role-arn and says batch jobs take hours, up to their timeout', async () => {
    const result = await runCli(['estimate', 'in.csv', '--mode', 'batch', '--batch-timeout-hours', '48'], {
      cwd: input(150),
      env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/duration {2}batch jobs usually take hours, up to their timeout of 48h/);
    expect(result.stdout).not.toMatch(/bound by/);
  });

  it('refuses fewer rows than a job takes, as run does (exit 2)', async () => {
    const result = await runCli(['estimate', 'in.csv', '--mode', 'batch'], { cwd: input(50), env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--mode batch needs at least 100 rows .*got 50/);
  });

  it('--mode auto under the minimum estimates on-demand, with its bound; JSON says batch when chosen', async () => {
    const small = await runCli(['estimate', 'in.csv', '--mode', 'auto'], { cwd: input(50), env });
    expect(small.code).toBe(0);
    expect(small.stdout).toMatch(/duration {2}at least .* bound by/);
    const json = await runCli(['estimate', 'in.csv', '--mode', 'auto', '--format', 'json'], {
      cwd: input(100),
      env,
    });
    expect(JSON.parse(json.stdout).duration).toEqual({ mode: 'batch', upToHours: 24 });
  });
});
