/**
 * `--metrics-file`, `--metrics-job` and `--otel`: what a watched run leaves for its watchers
 * (src/metrics/). A Prometheus text file for node_exporter's textfile collector, and OpenTelemetry
 * spans sent to the collector the standard OTEL_* variables name. Neither is made unless asked.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { OptionDef } from './option-def.js';
import type { RunKey } from './spec.js';
import { OptionValueError, text } from './values.js';

/**
 * A file in a directory that exists: a typo in a cron line is exit 2 on the first night, not a run
 * that leaves its dashboard empty with only a warning in a log.
 */
function metricsPath(flag: string, value: unknown, ctx: { cwd: string }): string {
  const path = resolve(ctx.cwd, text(flag, value));
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory())
    throw new OptionValueError(
      flag,
      `${JSON.stringify(text(flag, value))}: no directory ${dirname(path)} to write it in`,
    );
  return path;
}

export const METRICS_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'metrics-file',
    key: 'metricsFile',
    type: 'string',
    parse: metricsPath,
    jobPath: 'path',
    group: 'Progress and logs',
    commands: ['run'],
    describe:
      "Write the run's numbers (rows, tokens, cost, calls, throttles, exit code) to this file in Prometheus' text format, every few seconds and at the end (name it *.prom in node_exporter's textfile directory)",
  },
  {
    flag: 'metrics-job',
    key: 'metricsJob',
    type: 'string',
    group: 'Progress and logs',
    commands: ['run'],
    describe: 'The run_batch_job label of --metrics-file and the run_batch.job attribute of --otel spans',
    defaultDescription: "the results file's name without its extension",
  },
  {
    flag: 'otel',
    key: 'otel',
    type: 'boolean',
    default: false,
    group: 'Progress and logs',
    commands: ['run'],
    describe:
      'Send a span per row (its attempts as events, GenAI attributes) over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT)',
  },
];
