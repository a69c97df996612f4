/**
 * A command line with unknown flags is refused before anything runs, and in the same message as
 * every bad value it also holds: the flags are resolved as the command would resolve them (job
 * file included), for their problems only.
 */
import { RunBatchError } from '../errors.js';
import { unknownFlags } from '../job/argv.js';
import { loadJob } from '../job/file.js';
import type { Command, OptionDef } from '../job/option-def.js';
import { resolveRun } from '../job/resolve.js';
import { type RawOptions, resolveOrThrow } from '../job/table.js';
import type { CommandIO } from './io.js';

/** Keys the parser sets that are no option: positionals, its own bookkeeping, --help, --version. */
const PARSER_KEYS = new Set([
  '_',
  '$0',
  'input',
  'files',
  'outputs',
  'action',
  'shell',
  'help',
  'h',
  'version',
]);

export function unknownKeys(raw: RawOptions, defs: readonly OptionDef[]): string[] {
  const known = new Set([...PARSER_KEYS, ...defs.flatMap((d) => [d.flag, ...(d.alias ? [d.alias] : [])])]);
  return Object.keys(raw).filter((key) => !known.has(key));
}

/** Throws a USAGE error naming every unknown flag and every bad value, if there is an unknown flag. */
export async function refuseUnknownFlags(
  command: Command | 'completion',
  raw: RawOptions,
  defs: readonly OptionDef[],
  io: CommandIO,
): Promise<void> {
  const unknown = unknownKeys(raw, defs);
  if (unknown.length === 0) return;
  const lines = [unknownFlags(unknown, defs, raw), ...(await valueProblems(command, raw, defs, io))];
  const help = `Run run-batch${command === 'run' ? '' : ` ${command}`} --help for the options.`;
  throw new RunBatchError('USAGE', `${lines.join('\n')}\n${help}`);
}

async function valueProblems(
  command: Command | 'completion',
  raw: RawOptions,
  defs: readonly OptionDef[],
  io: CommandIO,
): Promise<string[]> {
  try {
    if (command === 'run' || command === 'estimate') {
      const input = Array.isArray(raw.input) ? raw.input[0] : raw.input;
      const job = loadJob({ ...raw, input }, io.cwd);
      const own = command === 'estimate' ? (await import('./estimate-options.js')).ESTIMATE_OPTIONS : [];
      job.check(() => resolveRun(job.raw, { cwd: io.cwd, env: io.env }, command, own));
    } else if (command !== 'completion') resolveOrThrow(defs, raw, { cwd: io.cwd, env: io.env });
    return [];
  } catch (error) {
    if (error instanceof RunBatchError) return error.message.split('\n');
    throw error;
  }
}
