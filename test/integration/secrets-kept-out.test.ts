/**
 * Credentials stay out of results files and messages, through the built CLI: a secret given as
 * -m, a password in --endpoint.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const env = () => ({ ...used.env(), AWS_EC2_METADATA_DISABLED: 'true' });

describe('secrets stay out of results and messages', () => {
  it('a credential given as -m is refused and never written', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'prompt\nx\n');
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const result = await runCli(['in.csv', '-m', secret], {
      cwd: dir,
      env: { ...env(), AWS_SECRET_ACCESS_KEY: secret },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--model must be a model id');
    expect(result.stderr).not.toContain(secret);
    expect(existsSync(join(dir, 'in.results.csv'))).toBe(false);
  });

  it('the password in --endpoint is never echoed', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'prompt\nx\n');
    // Port 9 on loopback: nothing listens, so the calls fail and the error names the endpoint.
    const result = await runCli(
      [
        'in.csv',
        '--endpoint',
        'http://alice:hunter2secret@127.0.0.1:9',
        '--max-attempts',
        '1',
        '--max-errors',
        '1',
      ],
      { cwd: dir, env: { ...FAKE_AWS_ENV, AWS_EC2_METADATA_DISABLED: 'true' } },
    );
    expect(result.code).not.toBe(0);
    const written = `${result.stderr}${readFileSync(join(dir, 'in.results.csv'), 'utf8')}${readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8')}`;
    expect(written).not.toContain('hunter2secret');
    const bad = await runCli(['in.csv', '--endpoint', 'ftp://alice:hunter2secret@127.0.0.1:9'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--endpoint must be an http:// or https:// URL');
    expect(bad.stderr).not.toContain('hunter2secret');
  });
});
