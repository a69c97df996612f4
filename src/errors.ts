/**
 * The one error class for setup failures (usage, config, input, credentials, lock).
 * Row failures are never thrown: they become records with `status: error`.
 * Each code maps to an exit code (the README's "Exit codes"), so only the CLI entry point decides how to exit.
 */

import { relative } from 'node:path';

export const ExitCode = {
  Ok: 0,
  RowsFailed: 1,
  Usage: 2,
  Stopped: 3,
  Locked: 4,
  /** Batch jobs submitted and still running (--no-wait): run the same command again to collect. */
  BatchRunning: 5,
  /** A bug in run-batch, not a user's mistake (sysexits' EX_SOFTWARE). */
  Internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'USAGE' // a bad flag or option value
  | 'CONFIG' // a bad job file or pricing file
  | 'INPUT' // the input file cannot be read or a row is malformed
  | 'OUTPUT' // the output file cannot be written or does not match the input
  | 'CREDENTIALS' // no usable AWS credentials
  | 'LOCKED' // another live run holds the output's lock
  | 'STOPPED'; // a signal came before anything was sent

const exitCodes: Record<ErrorCode, ExitCode> = {
  USAGE: ExitCode.Usage,
  CONFIG: ExitCode.Usage,
  INPUT: ExitCode.Usage,
  OUTPUT: ExitCode.Usage,
  CREDENTIALS: ExitCode.Usage,
  LOCKED: ExitCode.Locked,
  STOPPED: ExitCode.Stopped,
};

export class RunBatchError extends Error {
  override readonly name = 'RunBatchError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  get exitCode(): ExitCode {
    return exitCodes[this.code];
  }
}

/**
 * The one order of exit codes, worst first, for several outcomes together (several inputs, several
 * models at once): a bug (70), a lock held (4), a run stopped with rows left (3), bad input (2),
 * failed rows (1), batch jobs still running (5: not a failure, so any failure shows over it), ok (0).
 */
export const EXIT_ORDER_WORST_FIRST: readonly ExitCode[] = [
  ExitCode.Internal,
  ExitCode.Locked,
  ExitCode.Stopped,
  ExitCode.Usage,
  ExitCode.RowsFailed,
  ExitCode.BatchRunning,
  ExitCode.Ok,
];

/** The worse of two exit codes by EXIT_ORDER_WORST_FIRST (a code not in it ranks as a bug). */
export function worstExit(a: number, b: number): number {
  const rank = (code: number) => {
    const at = EXIT_ORDER_WORST_FIRST.indexOf(code as ExitCode);
    return at < 0 ? -1 : at;
  };
  return rank(b) < rank(a) ? b : a;
}

/** How a file is named in messages: relative to where the user ran the command, when that is shorter. */
export function displayPath(path: string, cwd: string): string {
  // A URI (s3://bkt/key) as given: path.relative would fold its `//` into `s3:/bkt/key`.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  const rel = relative(cwd, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}
