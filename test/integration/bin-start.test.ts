/**
 * How the CLI starts (bin/run-batch.js): one bundle compiled from its code cache, or tsc's modules
 * when there is no bundle, and on Node 20 without the AWS SDK's warning about Node versions.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT } from '../helpers/cli.js';

function run(bin: string, args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    // Through the shebang, as a user starts it; no AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED.
    execFile(bin, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd } }, (error, _out, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

const made: string[] = [];
function tmp(): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'bin-'));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('the bin', () => {
  it('runs a job from the bundle with nothing on stderr but its summary', async () => {
    const dir = tmp();
    const got = await run(BIN, [join(FIXTURES, 'prompts.csv'), '--emulate', '-o', join(dir, 'r.csv')], dir);
    expect(got.code).toBe(0);
    expect(got.stderr).toContain('25 ok');
    expect(got.stderr).not.toMatch(/Warning|NodeVersionSupport/);
  });

  it('runs from tsc modules when dist/ has no bundle', async () => {
    // A package tree whose dist/ is tsc's output without bundle/ (links to the real files); the bin
    // a copy, so it looks for the bundle beside it, not beside the original.
    const root = tmp();
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dist'));
    copyFileSync(BIN, join(root, 'bin/run-batch.js'));
    chmodSync(join(root, 'bin/run-batch.js'), 0o755);
    for (const name of readdirSync(join(ROOT, 'dist')))
      if (name !== 'bundle') symlinkSync(join(ROOT, 'dist', name), join(root, 'dist', name));
    const got = await run(
      join(root, 'bin/run-batch.js'),
      [join(FIXTURES, 'prompts.csv'), '--emulate', '-o', join(root, 'r.csv')],
      root,
    );
    expect(got.code).toBe(0);
    expect(got.stderr).toContain('25 ok');
  });
});
