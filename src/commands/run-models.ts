/**
 * `run-batch INPUT -m a,b,c`: one run per model, together (run/several-models.ts). One progress
 * display over all of them (their counts summed), warnings named by model, and one summary with a
 * line per model and the total.
 */
import type { Job } from '../job/file.js';
import { resolveModels } from '../job/models.js';
import { jsonLine } from '../progress/events.js';
import { type ModelsSummary, runModels } from '../run/several-models.js';
import type { Progress } from '../run/summary.js';
import type { CommandIO } from './io.js';
import { formatModelsSummary } from './models-summary.js';
import { runReporter, setLogFormat, stopSignals } from './run.js';

export async function runModelsCommand(job: Job, io: CommandIO): Promise<number> {
  setLogFormat(job, io);
  const runs = job.check(() => resolveModels(job.raw, { cwd: io.cwd, env: io.env }));
  const log = (runs[0] as (typeof runs)[number]).log;
  const reporter = runReporter(log, io);
  const stops = stopSignals(io, reporter);
  const latest = new Map<string, Progress>();
  try {
    const summary = await runModels(
      runs.map((run) => run.spec),
      {
        env: io.env,
        cwd: io.cwd,
        softStop: stops.soft,
        hardStop: stops.hard,
        onProgress: (model, progress) => {
          latest.set(model, progress);
          reporter.progress(sumOf([...latest.values()]));
        },
        onWarning: reporter.warning,
        onMoved: reporter.notice,
        onInfo: reporter.info,
        onUnwritten: (record) => io.stderr(`run-batch: ${record}\n`),
      },
    );
    reporter.close();
    print(summary, log, io);
    return summary.exitCode;
  } finally {
    stops.unsubscribe();
    reporter.close();
  }
}

/** --quiet prints it only when something went wrong (as for one model); json as one `summary` line. */
function print(
  summary: ModelsSummary,
  log: { format: 'text' | 'json'; quiet: boolean },
  io: CommandIO,
): void {
  if (log.quiet && (summary.exitCode === 0 || summary.exitCode === 5)) return;
  io.stderr(
    log.format === 'json' ? jsonLine('summary', Date.now(), summary) : formatModelsSummary(summary, io.cwd),
  );
}

/** The models' progress as one run's: the bar and the log lines count every model's rows. */
function sumOf(all: readonly Progress[]): Progress {
  const sum: Progress = {
    total: 0,
    done: 0,
    ok: 0,
    error: 0,
    skipped: 0,
    reused: 0,
    attempts: 0,
    throttles: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: null,
  };
  for (const p of all) {
    sum.total += p.total;
    sum.done += p.done;
    sum.ok += p.ok;
    sum.error += p.error;
    sum.skipped += p.skipped;
    sum.reused = (sum.reused ?? 0) + (p.reused ?? 0);
    sum.attempts += p.attempts;
    sum.throttles += p.throttles;
    sum.inputTokens += p.inputTokens;
    sum.outputTokens += p.outputTokens;
    if (p.costUsd !== null) sum.costUsd = (sum.costUsd ?? 0) + p.costUsd;
  }
  return sum;
}
