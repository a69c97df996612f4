/**
 * Every command's option table, as the CLI, shell completion, the man page and docs/options.md see
 * it. `run` and `estimate` take the run table's entries that name them (job/options.ts); `report`
 * and `emulator` have tables of their own. Each is loaded when asked for, so a command loads only
 * its own.
 */
import type { Command, OptionDef } from '../job/option-def.js';

export interface CommandInfo {
  name: Command;
  /** The usage line after `run-batch`. */
  usage: string;
  summary: string;
}

export const COMMANDS: readonly CommandInfo[] = [
  {
    name: 'run',
    usage: '[run] <input..> [options]',
    summary: 'Run a file of prompts (the default command); several run one after another',
  },
  {
    name: 'estimate',
    usage: 'estimate <input> [options]',
    summary: 'Validate every row, count tokens, predict cost and duration; calls no model',
  },
  {
    name: 'report',
    usage: 'report <files..> [options]',
    summary: 'Usage and cost totals over results files (CSV, JSONL, globs)',
  },
  {
    name: 'compare',
    usage: 'compare <files..> [options]',
    summary: 'Models side by side: accuracy, cost, latency, projected cost',
  },
  {
    name: 'emulator',
    usage: 'emulator [options]',
    summary: 'Run the Bedrock Runtime emulator in the foreground',
  },
  {
    name: 'show-request',
    usage: 'show-request <input> --row ID [options]',
    summary: 'Print the request a run would send for one row (operation, model, body); sends nothing',
  },
  {
    name: 'ledger',
    usage: 'ledger stats|prune|export|import [files..] [options]',
    summary: 'The answer ledger: stats, prune --older-than 30d|--before DATE, export (JSONL), import FILE...',
  },
  {
    name: 'batch',
    usage: 'batch status [outputs..] [options]',
    summary: 'The batch jobs of results files: state, records, age, expected end, S3 locations',
  },
];

export async function optionsOf(command: Command): Promise<readonly OptionDef[]> {
  if (command === 'report') return (await import('./report-options.js')).REPORT_OPTIONS;
  if (command === 'compare') return (await import('./compare-options.js')).COMPARE_OPTIONS;
  if (command === 'emulator') return (await import('./emulator-options.js')).EMULATOR_OPTIONS;
  if (command === 'ledger') return (await import('./ledger.js')).LEDGER_COMMAND_OPTIONS;
  if (command === 'batch') return (await import('./batch-status.js')).BATCH_STATUS_OPTIONS;
  const { JOB_OPTION, RUN_OPTIONS } = await import('../job/options.js');
  // show-request: every run option applies (the request is the run's), and its own --row.
  if (command === 'show-request')
    return [
      JOB_OPTION,
      ...RUN_OPTIONS.filter((def) => def.commands.includes('run')),
      ...(await import('./show-request.js')).SHOW_REQUEST_OPTIONS,
    ];
  const own = command === 'estimate' ? (await import('./estimate-options.js')).ESTIMATE_OPTIONS : [];
  return [JOB_OPTION, ...RUN_OPTIONS, ...own].filter((def) => def.commands.includes(command));
}

/** Every command's table, in COMMANDS order. */
export async function allOptions(): Promise<Map<Command, readonly OptionDef[]>> {
  const tables = await Promise.all(COMMANDS.map(async (c) => [c.name, await optionsOf(c.name)] as const));
  return new Map(tables);
}
