/**
 * `--metrics-file`, `--metrics-job` and `--otel`: what a watched run leaves for its watchers
 * (src/metrics/). A Prometheus text file for node_exporter's textfile collector, and OpenTelemetry
 * spans sent to the collector the standard OTEL_* variables name. Neither is made unless asked.
 */
import { resolve } from 'node:path';
import type { OptionDef } from './option-def.js';
import type { RunKey } from './spec.js';
import { text } from './values.js';

export const METRICS_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'metrics-file',
    key: 'metricsFile',
    type: 'string',
    parse: (flag, value, ctx) => resolve(ctx.cwd, text(flag, value)),
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
