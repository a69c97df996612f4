/**
 * The built CLI (bin/run-batch.js) as a child process, as a user runs it: to its end (`runCli`), or
 * started to be signalled and watched (`startCli`, `waitFor`), every wait with a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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

export interface CliOptions {
  cwd?: string;
  /** Added to a clean environment (PATH, and HOME in the working directory): nothing from the developer's AWS setup leaks in. */
  env?: Record<string, string>;
  /**
   * How long the CLI may run before it is killed with SIGKILL and the test told so, short of
   * vitest's own 60 s, so a hung run fails with its stderr instead of a bare timeout.
   * @default 55_000
   */
  deadlineMs?: number;
}

/** How a started CLI ended. */
export interface CliEnd {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The deadline passed and the child was killed. */
  timedOut: boolean;
}

/** The CLI as a child process the test can signal, wait on, and read the output of. */
export interface CliChild {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** How it ended, whatever ended it (the deadline included). */
  ended: Promise<CliEnd>;
  /** Its exit code (null when a signal ended it); rejects, with its stderr, if the deadline ended it. */
  readonly exited: Promise<number | null>;
}

const started = new Set<ChildProcess>();

/** Starts the built CLI without waiting for it. */
export function startCli(args: string[], options: CliOptions = {}): CliChild {
  const cwd = options.cwd ?? ROOT;
  const deadlineMs = options.deadlineMs ?? 55_000;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd ?? tmpdir(), ...ledgerEnv(), ...options.env },
    // stdin is /dev/null: a run that read it by mistake ends instead of waiting for the deadline.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, deadlineMs);
  timer.unref();
  const ended = new Promise<CliEnd>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      started.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut });
    }),
  );
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    ended,
    get exited() {
      return ended.then((end) => {
        if (end.timedOut)
          throw new Error(
            `run-batch ${args.join(' ')} was still running after ${deadlineMs} ms; stderr:\n${end.stderr}`,
          );
        return end.code;
      });
    },
  };
}

/** Kills (SIGKILL) every CLI a test started and left running: for afterEach. */
export function killStartedClis(): void {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Runs the built CLI to its end, as a user would. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, options);
  const end = await child.ended;
  if (end.timedOut)
    throw new Error(
      `run-batch ${args.join(' ')} was still running after the deadline; stderr:\n${end.stderr}`,
    );
  // A signal's end reads as exit 1, as a shell's `$?` is never 0 for it.
  return { code: end.code ?? 1, stdout: end.stdout, stderr: end.stderr };
}

/**
 * Polls `check` until it holds. Fails after `limitMs`, naming `what`; and at once when the `child`
 * given has ended, with its stderr, since the moment can no longer come.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what = 'the condition',
  options: { limitMs?: number; child?: CliChild } = {},
): Promise<void> {
  const limitMs = options.limitMs ?? 30_000;
  const deadline = performance.now() + limitMs;
  const process = options.child?.process;
  while (!(await check())) {
    if (process && (process.exitCode !== null || process.signalCode !== null))
      throw new Error(
        `waiting for ${what}: the CLI ended first (${process.exitCode ?? process.signalCode}); stderr:\n${options.child?.stderr()}`,
      );
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
export function ledgerEnv(): Record<string, string> {
  return process.env.RUN_BATCH_LEDGER ? { RUN_BATCH_LEDGER: process.env.RUN_BATCH_LEDGER } : {};
}
