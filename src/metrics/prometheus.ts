/**
 * A run's numbers in Prometheus' text exposition format (version 0.0.4), for node_exporter's
 * textfile collector. Pure: a snapshot in, the file's text out.
 *
 * Every sample carries `run_batch_job` and `model`. The job's label is not `job`: Prometheus sets
 * `job` itself, to the scrape job (node_exporter's), and a textfile sample that brought its own
 * would be renamed `exported_job` or overwrite it, depending on honor_labels.
 *
 * Work done during the run (calls, tokens, cost) are counters (`_total`): they only grow while the
 * run goes and start again from 0 with the next run, a reset `increase()` and `rate()` handle, so
 * `increase(run_batch_cost_usd_total[30d])` is a month's spend. Where the run stands (rows by
 * status, running, its exit code) are gauges.
 */

export interface MetricsSnapshot {
  job: string;
  model: string;
  rows: { ok: number; failed: number; reused: number; skipped: number; notRun: number };
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  /** Null when no row could be priced: the sample is left out, never a silent 0. */
  costUsd: number | null;
  calls: number;
  throttles: number;
  retries: number;
  startedAtMs: number;
  durationMs: number;
  running: boolean;
  /** Known once the run ended. */
  exitCode?: number;
  /** When a run of this job last ended with exit 0 (this one, or one before it). */
  lastSuccessMs?: number;
}

type Kind = 'counter' | 'gauge';
type Sample = [labels: Record<string, string>, value: number];

/** The metric that carries the last success over from one run's file to the next. */
export const LAST_SUCCESS = 'run_batch_last_success_timestamp_seconds';

export function prometheusText(s: MetricsSnapshot): string {
  const out: string[] = [];
  const base = { run_batch_job: s.job, model: s.model };
  const family = (name: string, kind: Kind, help: string, samples: Sample[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${kind}`);
    for (const [labels, value] of samples)
      out.push(`${name}${labelText({ ...base, ...labels })} ${number(value)}`);
  };
  const one = (value: number): Sample[] => [[{}, value]];

  family(
    'run_batch_rows',
    'gauge',
    'Rows of the input by status: ok (answered by this run), failed, reused (from the answer ledger, no call), skipped (ok from an earlier run), not_run.',
    [
      [{ status: 'ok' }, s.rows.ok],
      [{ status: 'failed' }, s.rows.failed],
      [{ status: 'reused' }, s.rows.reused],
      [{ status: 'skipped' }, s.rows.skipped],
      [{ status: 'not_run' }, s.rows.notRun],
    ],
  );
  family('run_batch_tokens_total', 'counter', 'Tokens billed by this run, by kind.', [
    [{ kind: 'input' }, s.tokens.input],
    [{ kind: 'output' }, s.tokens.output],
    [{ kind: 'cache_read' }, s.tokens.cacheRead],
    [{ kind: 'cache_write' }, s.tokens.cacheWrite],
  ]);
  if (s.costUsd !== null)
    family(
      'run_batch_cost_usd_total',
      'counter',
      'What this run spent, in US dollars (the priced rows).',
      one(s.costUsd),
    );
  family('run_batch_calls_total', 'counter', 'Calls sent by this run, retries included.', one(s.calls));
  family(
    'run_batch_throttles_total',
    'counter',
    'Calls of this run that Bedrock throttled.',
    one(s.throttles),
  );
  family('run_batch_retries_total', 'counter', 'Calls of this run that were retries.', one(s.retries));
  family(
    'run_batch_start_time_seconds',
    'gauge',
    'When this run started, in seconds since the epoch.',
    one(s.startedAtMs / 1000),
  );
  family(
    'run_batch_duration_seconds',
    'gauge',
    'How long this run has taken (has run, while it runs).',
    one(s.durationMs / 1000),
  );
  family('run_batch_running', 'gauge', '1 while the run goes, 0 once it ended.', one(s.running ? 1 : 0));
  if (s.exitCode !== undefined)
    family(
      'run_batch_exit_code',
      'gauge',
      "The run's exit code (docs/exit-codes.md): 0 ok, 1 rows failed, 2 bad input, 3 stopped, 5 batch jobs still running, 70 internal error.",
      one(s.exitCode),
    );
  if (s.lastSuccessMs !== undefined)
    family(
      LAST_SUCCESS,
      'gauge',
      'When a run of this job last ended with exit 0, in seconds since the epoch.',
      one(s.lastSuccessMs / 1000),
    );
  return `${out.join('\n')}\n`;
}

/** `{a="x",b="y"}`, values escaped as the format asks (backslash, double quote, line feed). */
export function labelText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(
    ([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return `{${pairs.join(',')}}`;
}

/** A sample value: Go's ParseFloat reads what JavaScript prints (1e-7 included). */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'NaN';
}

/**
 * The last success a previous run's file recorded for these labels, in ms; undefined when there is
 * none (no file, another job's, a file damaged by hand).
 */
export function lastSuccessIn(text: string, job: string, model: string): number | undefined {
  const prefix = `${LAST_SUCCESS}${labelText({ run_batch_job: job, model })} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  const seconds = line === undefined ? Number.NaN : Number(line.slice(prefix.length));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
