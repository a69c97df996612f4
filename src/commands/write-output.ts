/**
 * Where a command's rendered page goes: stdout, or `--output FILE` written beside it and renamed
 * over it, so a failed write never leaves half a report (or comparison) where one was.
 */
import { writeFileAtomic } from '../atomic-write.js';
import { RunBatchError } from '../errors.js';
import type { CommandIO } from './io.js';

export function writeOutput(
  rendered: string,
  output: string | undefined,
  io: CommandIO,
  what: string,
): number {
  if (output === undefined) {
    io.stdout(rendered);
    return 0;
  }
  try {
    writeFileAtomic(output, rendered);
  } catch (error) {
    throw new RunBatchError('OUTPUT', `--output ${output}: cannot write: ${(error as Error).message}`, {
      cause: error,
    });
  }
  io.stderr(`run-batch: ${what} written to ${output}\n`);
  return 0;
}
