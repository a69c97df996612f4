/**
 * The answer ledger's options (`--ledger PATH`, `--no-ledger`, `--no-reuse`): their rows in the run
 * options table and one resolver from their raw values (flags or job-file keys) to checked options.
 * Where the ledger lives by default is decided here too, so `run` and `run-batch ledger` agree:
 * `--ledger PATH`, else `RUN_BATCH_LEDGER`, else `$XDG_DATA_HOME/run-batch/ledger.db`, else
 * `~/.local/share/run-batch/ledger.db`.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OptionDef } from './option-def.js';
import { boolean, fail } from './values.js';

export const LEDGER_OPTIONS: readonly OptionDef[] = [
  {
    flag: 'ledger',
    type: 'string',
    group: 'Output',
    describe:
      'The answer ledger, which keeps every paid answer by the request that bought it (--no-ledger: none; the results file is then the only record)',
    defaultDescription: '$RUN_BATCH_LEDGER, else ~/.local/share/run-batch/ledger.db',
  },
  {
    flag: 'reuse',
    type: 'boolean',
    group: 'Output',
    describe:
      'Write a row whose request the ledger already answered from it, with no call; identical rows in one run are paid once. ' +
      'Claude samples at temperature 1.0 by default, so a reused row gives the first sample again: --no-reuse asks every row anew',
    defaultDescription: 'true',
  },
];

export interface LedgerOptions {
  /** Absolute path of the ledger; undefined with --no-ledger. */
  path?: string;
  /** @default true */
  reuse: boolean;
}

export function ledgerOptions(
  raw: Record<string, unknown>,
  cwd: string,
  env: NodeJS.ProcessEnv,
): LedgerOptions {
  const reuse = raw.reuse === undefined || raw.reuse === null ? true : boolean('reuse', raw.reuse);
  if (raw.ledger === false) return { reuse };
  if (raw.ledger === undefined || raw.ledger === null || raw.ledger === true)
    return { path: defaultLedgerPath(env, cwd), reuse };
  if (typeof raw.ledger !== 'string' || raw.ledger === '') fail('ledger', 'a file path', raw.ledger);
  return { path: resolve(cwd, raw.ledger), reuse };
}

/**
 * A caller that passes an environment of its own (runBatch in a program, a test) and leaves these
 * out still gets the process's RUN_BATCH_LEDGER and XDG_DATA_HOME: never the user's own ledger by
 * surprise.
 */
export function defaultLedgerPath(env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const ledger = env.RUN_BATCH_LEDGER || process.env.RUN_BATCH_LEDGER;
  if (ledger) return resolve(cwd, ledger);
  const data = env.XDG_DATA_HOME || process.env.XDG_DATA_HOME;
  const base = data ? data : join(env.HOME || homedir(), '.local', 'share');
  return join(resolve(cwd, base), 'run-batch', 'ledger.db');
}
