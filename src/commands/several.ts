/**
 * `run-batch t1.csv t2.csv`: several inputs run one after another, as a shell loop would, each to
 * its own default results file beside it. `-o` with several inputs is refused (one file cannot hold
 * two results). A setup error in one input (exit 2, nothing sent for it) is printed and the next
 * input still runs; a signal stops the sequence after the run it interrupted. The exit code is the
 * highest of the runs' codes, so any failure shows, and a stop (3) or a lock (4) outranks failed
 * rows (1); batch jobs still running (5) rank below all of them (errors.ts worstExit).
 */
import { ExitCode, RunBatchError, worstExit } from '../errors.js';
import type { CommandIO } from './io.js';
import { runCommand } from './run.js';

export async function runSeveral(
  inputs: readonly string[],
  raw: Record<string, unknown>,
  io: CommandIO,
  printError: (error: RunBatchError) => void,
): Promise<number> {
  if (raw.output !== undefined) {
    throw new RunBatchError(
      'USAGE',
      `--output names one results file, but ${inputs.length} inputs were given; leave it out (each input gets <input>.results.<ext> beside it) or run them one at a time`,
    );
  }
  let interrupted = false;
  const unsubscribe = io.onSignal(() => {
    interrupted = true;
  });
  let worst: number = ExitCode.Ok;
  try {
    for (const [i, input] of inputs.entries()) {
      io.stderr(`run-batch: input ${i + 1} of ${inputs.length}: ${input}\n`);
      let code: number;
      try {
        code = await runCommand({ ...raw, input }, io);
      } catch (error) {
        if (!(error instanceof RunBatchError)) throw error;
        printError(error);
        code = error.exitCode;
      }
      worst = worstExit(worst, code);
      if (interrupted) {
        const rest = inputs.slice(i + 1);
        if (rest.length > 0) io.stderr(`run-batch: interrupted; not started: ${rest.join(', ')}\n`);
        break;
      }
    }
  } finally {
    unsubscribe();
  }
  return worst;
}
