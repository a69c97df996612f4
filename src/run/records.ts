/** Builds the per-row ResultRecord from a call's outcome; failures are data, never thrown. */
import type { CallFailure } from '../bedrock/errors.js';
import type { Finished } from '../engines/engine.js';
import type { PlannedRow } from '../plan/plan.js';
import type { CallResult, ResultRecord } from '../types.js';

export function okRecord(
  { request, fingerprint }: PlannedRow,
  result: CallResult,
  meta: Finished,
  streaming: boolean,
): ResultRecord {
  const record: ResultRecord = {
    id: request.id,
    status: 'ok',
    model: request.model,
    response: result.text,
    stop_reason: result.stopReason,
    input_tokens: result.usage.inputTokens,
    output_tokens: result.usage.outputTokens,
    total_tokens: result.usage.totalTokens,
    cache_read_tokens: result.usage.cacheReadTokens,
    cache_write_tokens: result.usage.cacheWriteTokens,
    cost_usd: null,
    latency_ms: Math.round(meta.latencyMs),
    attempts: meta.attempts,
    finished_at: meta.finishedAt.toISOString(),
    error_code: '',
    error_message: '',
    request_hash: fingerprint,
  };
  if (streaming)
    record.first_token_ms = result.firstTokenMs === undefined ? null : Math.round(result.firstTokenMs);
  // Bedrock leaves the tier out when it served the standard one.
  record.service_tier = result.serviceTier ?? 'default';
  record.cache_write_1h_tokens = result.usage.cacheWrite1hTokens ?? 0;
  return record;
}

export function errorRecord(
  { request, fingerprint }: PlannedRow,
  failure: CallFailure,
  meta: Finished,
  streaming: boolean,
): ResultRecord {
  const record: ResultRecord = {
    id: request.id,
    status: 'error',
    model: request.model,
    response: '',
    stop_reason: '',
    input_tokens: null,
    output_tokens: null,
    total_tokens: null,
    cache_read_tokens: null,
    cache_write_tokens: null,
    cost_usd: null,
    latency_ms: Math.round(meta.latencyMs),
    attempts: meta.attempts,
    finished_at: meta.finishedAt.toISOString(),
    error_code: failure.code,
    error_message: failure.message,
    request_hash: fingerprint,
  };
  if (streaming) record.first_token_ms = null;
  // Bad answers (--json-schema) were generated and billed: the row shows what it paid for.
  if (failure.paid) {
    record.input_tokens = failure.paid.inputTokens;
    record.output_tokens = failure.paid.outputTokens;
    record.total_tokens = failure.paid.totalTokens;
    record.cache_read_tokens = failure.paid.cacheReadTokens;
    record.cache_write_tokens = failure.paid.cacheWriteTokens;
    record.cache_write_1h_tokens = failure.paid.cacheWrite1hTokens ?? 0;
  }
  return record;
}
