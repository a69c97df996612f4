/**
 * The `--metrics-file`, kept current: written when the run starts, every interval while it goes,
 * and once more at its end. Every write replaces the file whole (temp file in the same directory,
 * then rename: atomic-write.ts), as node_exporter's textfile collector asks, so a scrape never
 * reads half a file.
 *
 * The last success is carried over: a run that fails keeps the time the previous file recorded for
 * the same job and model, so "no success for 26 hours" can be alerted on.
 *
 * A file that cannot be written is a warning, once: the run is worth more than its metrics.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';
import { lastSuccessIn, type MetricsSnapshot, prometheusText } from './prometheus.js';

export class MetricsFile {
  private timer: NodeJS.Timeout | undefined;
  private previousSuccess: number | undefined;
  private warned = false;
  private read = false;

  constructor(
    readonly path: string,
    private readonly onWarning: ((message: string) => void) | undefined,
    private readonly current: () => MetricsSnapshot,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.write(this.current());
    this.timer = setInterval(() => this.write(this.current()), this.intervalMs);
    // The run's own work keeps the process alive; the metrics must never be the reason it stays.
    this.timer.unref();
  }

  /** The last write: the run's final numbers. */
  stop(final: MetricsSnapshot): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const succeeded = final.exitCode === 0 ? final.startedAtMs + final.durationMs : undefined;
    this.write(final, succeeded);
  }

  private write(snapshot: MetricsSnapshot, succeeded?: number): void {
    if (!this.read) {
      this.read = true;
      this.previousSuccess = this.lastSuccess(snapshot);
    }
    const lastSuccessMs = succeeded ?? this.previousSuccess;
    try {
      writeFileAtomic(
        this.path,
        prometheusText({ ...snapshot, ...(lastSuccessMs ? { lastSuccessMs } : {}) }),
      );
    } catch (error) {
      if (this.warned) return;
      this.warned = true;
      this.onWarning?.(`cannot write --metrics-file ${this.path}: ${(error as Error).message}`);
    }
  }

  private lastSuccess(snapshot: MetricsSnapshot): number | undefined {
    try {
      return lastSuccessIn(readFileSync(this.path, 'utf8'), snapshot.job, snapshot.model);
    } catch {
      return undefined; // no file yet: no success recorded
    }
  }
}
