/** The CLI as a child process the test can signal, wait for, and read the output of. */
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './cli.js';

export interface Child {
  process: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

export function startCli(dir: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...ledgerEnv(), ...env },
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, stderr: () => stderr, exited };
}

export async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The test's own answer ledger (test/setup-ledger.ts), passed on to the CLI it starts. */
function ledgerEnv(): Record<string, string> {
  return process.env.RUN_BATCH_LEDGER ? { RUN_BATCH_LEDGER: process.env.RUN_BATCH_LEDGER } : {};
}
