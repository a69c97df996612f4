/**
 * `--otel`: a span per row, sent over OTLP/HTTP (JSON) through the OpenTelemetry JS SDK to the
 * collector the standard variables name (OTEL_EXPORTER_OTLP_ENDPOINT or _TRACES_ENDPOINT, _HEADERS,
 * _TIMEOUT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES: the SDK reads them itself). This module is
 * the only one that imports the SDK, and it is itself loaded only with --otel (metrics/watch.ts),
 * so a run without it never loads a line of OpenTelemetry.
 *
 * A row's span starts when its first call is sent and ends when the row is written; its attributes
 * are the GenAI semantic conventions' (the model asked, the usage, the finish reason), its events
 * the attempts that did not answer: `throttled`, `error` (another failure) and `retried` (a retry
 * sent). A row reused from the answer ledger is a span with no call in it. A row cut off by a hard
 * stop ends its span at the close, with status error.
 */
import { DiagLogLevel, diag, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { CallFailure } from '../bedrock/errors.js';
import type { AttemptEvent } from '../pool/pool.js';
import type { ResultRecord } from '../types.js';

/** Bedrock, as the GenAI conventions name it (gen_ai.system before 1.37, gen_ai.provider.name since). */
const PROVIDER = 'aws.bedrock';
const OPERATION = 'chat';
/** The batch processor drops spans past its queue: rows can finish faster than 2,048 per 5 s. */
const QUEUE = 65_536;

export interface RowTracer {
  attempt(row: { id: string; model: string }, event: AttemptEvent<CallFailure>): void;
  finished(record: Readonly<ResultRecord>): void;
  /** Ends the spans still open and sends everything; waits for the export (its own timeout). */
  close(): Promise<void>;
}

export async function createRowTracer(
  job: string,
  env: NodeJS.ProcessEnv,
  onWarning?: (message: string) => void,
): Promise<RowTracer> {
  hearExportErrors(onWarning);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'run-batch' }))
    .merge(detectResources({ detectors: [envDetector] }));
  const queue = Number(env.OTEL_BSP_MAX_QUEUE_SIZE);
  const processor = new BatchSpanProcessor(new OTLPTraceExporter(), {
    maxQueueSize: Number.isInteger(queue) && queue > 0 ? queue : QUEUE,
  });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('run-batch');
  const open = new Map<string, Span>();

  const spanOf = (id: string, model: string): Span => {
    let span = open.get(id);
    if (!span) {
      span = startRow(tracer, job, id, model);
      open.set(id, span);
    }
    return span;
  };

  return {
    attempt(row, event) {
      const span = spanOf(row.id, row.model);
      if (event.type === 'sent' && event.attempt > 1)
        span.addEvent('retried', { 'run_batch.attempt': event.attempt });
      if (event.type !== 'failed') return;
      span.addEvent(event.failure.throttle ? 'throttled' : 'error', {
        'run_batch.attempt': event.attempt,
        'error.type': event.failure.code,
        'run_batch.will_retry': event.willRetry,
        'run_batch.latency_ms': Math.round(event.latencyMs),
      });
    },
    finished(record) {
      const span = spanOf(record.id, record.model);
      open.delete(record.id);
      span.setAttributes({
        'run_batch.row.status': record.status,
        'run_batch.attempts': record.attempts,
        ...(record.reused ? { 'run_batch.reused': true } : {}),
        ...(record.input_tokens === null ? {} : { 'gen_ai.usage.input_tokens': record.input_tokens }),
        ...(record.output_tokens === null ? {} : { 'gen_ai.usage.output_tokens': record.output_tokens }),
        ...(record.stop_reason ? { 'gen_ai.response.finish_reasons': [record.stop_reason] } : {}),
        ...(record.cost_usd === null ? {} : { 'run_batch.cost_usd': record.cost_usd }),
      });
      if (record.status !== 'ok') {
        span.setAttribute('error.type', record.error_code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: record.error_message });
      }
      span.end();
    },
    async close() {
      for (const span of open.values()) {
        span.setAttribute('run_batch.row.status', 'not_run');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the run stopped before the row finished' });
        span.end();
      }
      open.clear();
      try {
        await provider.shutdown(); // flushes the batch processor first
      } catch (error) {
        onWarning?.(`--otel: spans could not be sent: ${(error as Error).message}`);
      }
    },
  };
}

function startRow(tracer: Tracer, job: string, id: string, model: string): Span {
  return tracer.startSpan(`${OPERATION} ${model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': OPERATION,
      'gen_ai.system': PROVIDER,
      'gen_ai.provider.name': PROVIDER,
      'gen_ai.request.model': model,
      'run_batch.job': job,
      'run_batch.row.id': id,
    },
  });
}

/**
 * The SDK reports a failed export (no collector, a 4xx) only through its diagnostic logger, which
 * is silent unless set: the first error becomes a warning, so spans lost are never lost silently.
 */
function hearExportErrors(onWarning?: (message: string) => void): void {
  let said = false;
  const error = (message: string, ...args: unknown[]) => {
    if (said) return;
    said = true;
    const detail = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
    onWarning?.(`--otel: ${message}${detail ? ` ${detail}` : ''} (spans may be lost)`);
  };
  const quiet = () => {};
  diag.setLogger(
    { error, warn: quiet, info: quiet, debug: quiet, verbose: quiet },
    { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
  );
}
