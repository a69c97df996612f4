/**
 * `run-batch ledger stats|prune|export|import`: the answer ledger looked at and looked after.
 * `stats` shows its size, entries and spend by model and day; `prune --older-than 30d` or
 * `--before DATE` is the only way answers leave it (nothing is deleted silently: no retention by
 * default); `export` writes every entry as JSONL to stdout; `import FILE...` takes the ok answers
 * of results files (written before the ledger, or with --no-ledger) into it, keyed by the request
 * each row asked (`--emulate`, or `--region` and `--endpoint`; `--api`). Each takes `--ledger PATH`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunBatchError } from '../errors.js';
import { defaultLedgerPath } from '../job/ledger-options.js';
import type { OptionDef } from '../job/option-def.js';
import { text } from '../job/values.js';
import { Ledger } from '../ledger/store.js';
import type { CommandIO } from './io.js';

export const LEDGER_ACTIONS = ['stats', 'prune', 'export', 'import'] as const;

const LEDGER = ['ledger'] as const;

/** `ledger`'s options: one table, like every command's (job/option-def.ts); the actions check them. */
export const LEDGER_COMMAND_OPTIONS: readonly OptionDef[] = [
  {
    flag: 'ledger',
    type: 'string',
    group: 'Ledger',
    commands: LEDGER,
    describe: 'The answer ledger',
    defaultDescription:
      '$RUN_BATCH_LEDGER, else $XDG_DATA_HOME/run-batch/ledger.db, else ~/.local/share/run-batch/ledger.db',
  },
  {
    flag: 'older-than',
    type: 'string',
    group: 'Ledger',
    commands: LEDGER,
    describe: 'prune: entries paid longer ago than this (30d, 12h, 2w)',
  },
  {
    flag: 'before',
    type: 'string',
    group: 'Ledger',
    commands: LEDGER,
    describe: 'prune: entries paid before this date (YYYY-MM-DD or ISO 8601)',
  },
  {
    flag: 'emulate',
    type: 'boolean',
    group: 'Ledger',
    commands: LEDGER,
    describe: 'import: the answers came from the built-in emulator',
  },
  {
    flag: 'region',
    type: 'string',
    group: 'Ledger',
    commands: LEDGER,
    describe: 'import: the region they were asked in',
  },
  {
    flag: 'endpoint',
    type: 'string',
    group: 'Ledger',
    commands: LEDGER,
    describe: 'import: the endpoint URL they were asked at (default AWS_ENDPOINT_URL_BEDROCK_RUNTIME)',
  },
  {
    flag: 'api',
    type: 'string',
    choices: ['converse', 'invoke'],
    group: 'Ledger',
    commands: LEDGER,
    describe: 'import: the API they were asked through',
  },
];

export async function ledgerCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  const action = String(raw.action ?? '');
  const path =
    raw.ledger === undefined
      ? defaultLedgerPath(io.env, io.cwd)
      : resolve(io.cwd, text('ledger', raw.ledger));
  if (action === 'import') {
    const { importResults } = await import('./ledger-import.js');
    return importResults(raw, path, io);
  }
  if (!existsSync(path))
    throw new RunBatchError('USAGE', `no answer ledger at ${path} (--ledger PATH, RUN_BATCH_LEDGER)`);
  const ledger = Ledger.open(path, { onWarning: (m) => io.stderr(`run-batch: warning: ${m}\n`) });
  try {
    if (action === 'stats') io.stdout(statsText(ledger));
    else if (action === 'export')
      for (const entry of ledger.entries()) io.stdout(`${JSON.stringify(entry)}\n`);
    else if (action === 'prune') {
      const before = pruneBefore(raw, new Date());
      const removed = ledger.prune(before);
      io.stdout(
        `removed ${removed} ${removed === 1 ? 'entry' : 'entries'} paid before ${before.toISOString()} from ${path}\n`,
      );
    } else throw new RunBatchError('USAGE', `run-batch ledger ${LEDGER_ACTIONS.join('|')}, got "${action}"`);
  } finally {
    ledger.close();
  }
  return 0;
}

function statsText(ledger: Ledger): string {
  const s = ledger.stats();
  const usd = (n: number) => `$${n.toFixed(4)}`;
  const lines = [
    `ledger    ${s.path}`,
    `size      ${(s.bytes / 1024).toFixed(1)} KiB`,
    `entries   ${s.entries} (${s.ok} ok, ${s.errors} paid failures)`,
    ...s.byModel.map((m) => `model     ${m.model}: ${m.entries} entries, ${usd(m.costUsd)}`),
    ...s.byDay.map((d) => `day       ${d.day}: ${d.entries} entries, ${usd(d.costUsd)}`),
  ];
  return `${lines.join('\n')}\n`;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--older-than 30d` or `--before DATE`, exactly one of them. */
export function pruneBefore(raw: Record<string, unknown>, now: Date): Date {
  const older = raw['older-than'];
  const before = raw.before;
  if ((older === undefined) === (before === undefined))
    throw new RunBatchError(
      'USAGE',
      'ledger prune needs one of --older-than AGE (30d, 12h, 2w) or --before DATE',
    );
  if (older !== undefined) {
    const match = /^(\d+)\s*([mhdw])$/.exec(String(older));
    if (!match)
      throw new RunBatchError(
        'USAGE',
        `--older-than must be a number and a unit (m, h, d, w) such as 30d, got "${older}"`,
      );
    return new Date(now.getTime() - Number(match[1]) * (UNITS[match[2] as string] ?? 0));
  }
  const time = Date.parse(String(before));
  if (Number.isNaN(time))
    throw new RunBatchError(
      'USAGE',
      `--before must be a date such as 2026-11-01 or an ISO 8601 time, got "${before}"`,
    );
  return new Date(time);
}
