/**
 * What a watched run leaves for its watchers: `--metrics-file` (Prometheus text, written at the
 * start, every METRICS_INTERVAL_MS and at the end) and `--otel` (a span per row). It listens to the
 * run through its hooks (progress, every attempt, every written row) and adds nothing to a run that
 * asked for neither. The OpenTelemetry SDK is loaded only with --otel.
 *
 * Calls, throttles and retries are counted from the attempts as they happen (the pool's events, the
 * ones its own counts come from); the last write takes the summary's numbers, so the file and the
 * summary agree (in batch mode the summary's calls also count the records submitted to jobs).
 */
import { parse } from 'node:path';
import type { CallFailure } from '../bedrock/errors.js';
import type { JobSpec } from '../job/spec.js';
import type { AttemptEvent } from '../pool/pool.js';
import type { ResultRecord } from '../types.js';
import { MetricsFile } from './metrics-file.js';
import type { RowTracer } from './otel.js';
import type { MetricsSnapshot } from './prometheus.js';

/** @default 5 s; RUN_BATCH_METRICS_INTERVAL_MS sets it (tests). */
export const METRICS_INTERVAL_MS = 5000;

/**
 * The hooks of a run (run/deps.ts) this listens to, by shape. Methods, so that a caller's hooks
 * taking more (the run's whole Progress) fit.
 */
export interface Hooks {
  onProgress?(progress: ProgressCounts): void;
  onAttempt?(row: { id: string; model: string }, event: AttemptEvent<CallFailure>): void;
  onRecord?(record: Readonly<ResultRecord>): void;
  onWarning?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface ProgressCounts {
  total: number;
  ok: number;
  error: number;
  skipped: number;
  reused?: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  attempts: number;
  throttles: number;
}

/** The summary's numbers the final file takes (run/summary.ts), by shape. */
export interface FinalCounts {
  rows: { total: number; ok: number; error: number; skipped: number; reused?: number };
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  costUsd: number | null;
  attempts: number;
  throttles: number;
  exitCode: number;
  /** The run's time, as the summary has it, so the two agree. */
  wallMs?: number;
  /** --judge: what its calls cost and how many were sent, apart from the answers' (judge/open.ts). */
  judge?: { costUsd: number; attempts: number };
}

export interface Watch<D extends Hooks> {
  /** The hooks to run with: the caller's, with the watchers' added. */
  deps: D;
  /** Writes the last file and flushes the spans; never throws. */
  end(final: FinalCounts): Promise<void>;
}

export async function watchRun<D extends Hooks>(spec: JobSpec, deps: D, startedAt: Date): Promise<Watch<D>> {
  if (spec.metricsFile === undefined && !spec.otel) return { deps, end: async () => {} };
  const env = deps.env ?? process.env;
  const job = spec.metricsJob ?? parse(spec.output).name;
  const calls = { calls: 0, throttles: 0, retries: 0 };
  const cache = { read: 0, write: 0 };
  let latest: ProgressCounts | undefined;
  const tracer = spec.otel ? await openTracer(job, env, deps.onWarning) : undefined;

  const snapshot = (final?: FinalCounts): MetricsSnapshot => {
    const now = Date.now();
    const rows = final ? fromSummary(final) : fromProgress(latest);
    return {
      job,
      model: spec.model,
      rows,
      tokens: final
        ? { ...final.tokens }
        : {
            input: latest?.inputTokens ?? 0,
            output: latest?.outputTokens ?? 0,
            cacheRead: cache.read,
            cacheWrite: cache.write,
          },
      costUsd: final ? withJudgeCost(final) : (latest?.costUsd ?? null),
      // Batch mode counts the records it submitted as calls too, which no attempt event tells of:
      // the engine's count (the summary's) then runs ahead of the events'.
      calls: final
        ? final.attempts + (final.judge?.attempts ?? 0)
        : Math.max(calls.calls, latest?.attempts ?? 0),
      throttles: final ? final.throttles : Math.max(calls.throttles, latest?.throttles ?? 0),
      retries: calls.retries,
      startedAtMs: startedAt.getTime(),
      durationMs: final?.wallMs ?? now - startedAt.getTime(),
      running: final === undefined,
      ...(final ? { exitCode: final.exitCode } : {}),
    };
  };
  const file =
    spec.metricsFile === undefined
      ? undefined
      : new MetricsFile(spec.metricsFile, deps.onWarning, () => snapshot(), intervalOf(env));

  const hooked: D = {
    ...deps,
    onProgress: (progress) => {
      latest = progress;
      deps.onProgress?.(progress);
    },
    onAttempt: (row, event) => {
      if (event.type === 'sent') {
        calls.calls++;
        if (event.attempt > 1) calls.retries++;
      } else if (event.type === 'failed' && event.failure.throttle) calls.throttles++;
      tracer?.attempt(row, event);
      deps.onAttempt?.(row, event);
    },
    onRecord: (record) => {
      // As the summary counts them: an error row's tokens only when it was billed.
      if (record.status === 'ok' || record.input_tokens !== null) {
        cache.read += record.cache_read_tokens ?? 0;
        cache.write += record.cache_write_tokens ?? 0;
      }
      tracer?.finished(record);
      deps.onRecord?.(record);
    },
  };
  file?.start();
  return {
    deps: hooked,
    end: async (final) => {
      file?.stop(snapshot(final));
      await tracer?.close();
    },
  };
}

/**
 * The run's spend with the judge's (docs/metrics.md): a month's `increase()` is then what the
 * account was billed. Summed in picodollars, as money.ts does, so it is the summary's two figures
 * added exactly. Unpriced answers stay unpriced (null), whatever the judge cost.
 */
function withJudgeCost(final: FinalCounts): number | null {
  if (final.costUsd === null || !final.judge) return final.costUsd;
  const pico = Math.round(final.costUsd * 1e12) + Math.round(final.judge.costUsd * 1e12);
  return pico / 1e12;
}

function fromSummary(final: FinalCounts): MetricsSnapshot['rows'] {
  const { total, ok, error, skipped } = final.rows;
  const reused = final.rows.reused ?? 0;
  // The summary's ok counts every ok row of the results file; the metric splits them by source.
  return {
    ok: ok - skipped - reused,
    failed: error,
    reused,
    skipped,
    notRun: Math.max(0, total - ok - error),
  };
}

function fromProgress(p: ProgressCounts | undefined): MetricsSnapshot['rows'] {
  if (!p) return { ok: 0, failed: 0, reused: 0, skipped: 0, notRun: 0 };
  const reused = p.reused ?? 0;
  return {
    ok: p.ok,
    failed: p.error,
    reused,
    skipped: p.skipped,
    notRun: Math.max(0, p.total - p.ok - p.error - p.skipped - reused),
  };
}

function intervalOf(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.RUN_BATCH_METRICS_INTERVAL_MS);
  return Number.isInteger(ms) && ms >= 10 ? ms : METRICS_INTERVAL_MS;
}

/** The SDK is loaded here and only here; a run whose tracing cannot start goes on without it. */
async function openTracer(
  job: string,
  env: NodeJS.ProcessEnv,
  onWarning?: (message: string) => void,
): Promise<RowTracer | undefined> {
  try {
    const { createRowTracer } = await import('./otel.js');
    return await createRowTracer(job, env, onWarning);
  } catch (error) {
    onWarning?.(
      `--otel: cannot start OpenTelemetry: ${(error as Error).message}; the run goes on without spans`,
    );
    return undefined;
  }
}
