/**
 * The answer ledger's options (`--ledger PATH`, `--no-ledger`, `--no-reuse`): their entries in the
 * run table, and where the ledger lives by default, decided here so `run` and `run-batch ledger`
 * agree: `--ledger PATH`, else `RUN_BATCH_LEDGER`, else `$XDG_DATA_HOME/run-batch/ledger.db`, else
 * `~/.local/share/run-batch/ledger.db`.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OptionDef, ParseContext } from './option-def.js';
import type { LedgerOptions, RunKey } from './spec.js';
import { fail } from './values.js';

const BOTH = ['run', 'estimate'] as const;

export const LEDGER_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'ledger',
    key: 'ledger.path',
    type: 'string',
    // `--no-ledger` arrives as false: kept as false, so "not given" (the default place) and "none" differ.
    parse: (flag, value, ctx) => {
      if (value === false) return false;
      if (typeof value !== 'string' || value === '') return fail(flag, 'a file path', value);
      return resolve(ctx.cwd, value);
    },
    group: 'Output',
    commands: BOTH,
    describe:
      'The answer ledger, which keeps every paid answer by the request that bought it (--no-ledger: none; the results file is then the only record)',
    defaultDescription:
      '$RUN_BATCH_LEDGER, else $XDG_DATA_HOME/run-batch/ledger.db, else ~/.local/share/run-batch/ledger.db',
  },
  {
    flag: 'reuse',
    key: 'ledger.reuse',
    type: 'boolean',
    default: true,
    group: 'Output',
    commands: BOTH,
    describe:
      'Write a row whose request the ledger already answered from it, with no call; identical rows in one run are paid once. ' +
      'Claude samples at temperature 1.0 by default, so a reused row gives the first sample again: --no-reuse asks every row anew',
  },
];

/** The checked values as LedgerOptions: the default place when --ledger was not given, none with --no-ledger. */
export function finishLedger(
  checked: { path?: string | false; reuse?: boolean } | undefined,
  ctx: ParseContext,
): LedgerOptions {
  const reuse = checked?.reuse ?? true;
  if (checked?.path === false) return { reuse };
  return { path: checked?.path ?? defaultLedgerPath(ctx.env, ctx.cwd), reuse };
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
