/** --judge in the summary: its totals, and what they do to the exit code. */
import type { Stopper } from '../engines/stopper.js';
import { ExitCode } from '../errors.js';
import type { judgeTotals } from '../judge/open.js';
import type { RunSummary } from './summary.js';

/**
 * --judge: its totals, apart from the answers'. Answers left without a verdict by a stop (the
 * budget, a signal) make the run one to run again (exit 3) even when every answer is in; a judge
 * call that failed is a failed row's exit (1), the answer itself staying ok.
 */
export function withJudge(
  summary: RunSummary,
  totals: ReturnType<typeof judgeTotals>,
  stopper: Stopper,
): void {
  summary.judge = totals;
  if (
    totals.notJudged > 0 &&
    summary.exitCode !== ExitCode.Stopped &&
    summary.exitCode !== ExitCode.BatchRunning
  ) {
    summary.exitCode = ExitCode.Stopped;
    if (stopper.cause) {
      summary.stop = stopper.cause;
      summary.stopReason = stopper.cause.detail;
    }
  } else if (totals.failed > 0 && summary.exitCode === ExitCode.Ok) summary.exitCode = ExitCode.RowsFailed;
}
