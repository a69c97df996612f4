/** Runs the built CLI (bin/run-batch.js) as a child process, as a user would. */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/run-batch.js');
export const FIXTURES = join(ROOT, 'fixtures');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Credentials for pointing the CLI at an emulator started by the test (any value is accepted). */
export const FAKE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_REGION: 'us-east-1',
};

export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd ?? ROOT,
        // A clean environment: nothing from the developer's AWS setup leaks into a test.
        env: { PATH: process.env.PATH ?? '', HOME: options.cwd ?? tmpdir(), ...ledgerEnv(), ...options.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** A fresh temporary directory holding copies of the named fixtures. */
export function workdir(...fixtures: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-batch-test-'));
  for (const name of fixtures) copyFileSync(join(FIXTURES, name), join(dir, name.split('/').pop() ?? name));
  return dir;
}

export function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The test's own answer ledger (test/setup-ledger.ts), passed on to the CLI it starts. */
function ledgerEnv(): Record<string, string> {
  return process.env.RUN_BATCH_LEDGER ? { RUN_BATCH_LEDGER: process.env.RUN_BATCH_LEDGER } : {};
}
