/** Builds the per-row ResultRecord from a call's outcome; failures are data, never thrown. */
import type { CallFailure } from '../bedrock/errors.js';
import type { Finished } from '../engines/engine.js';
import type { PlannedRow } from '../plan/plan.js';
import type { CallResult, ResultRecord, Usage } from '../types.js';

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
    ...usageFields(result.usage),
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
  if (failure.paid) Object.assign(record, usageFields(failure.paid));
  return record;
}

function usageFields(usage: Usage) {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cache_write_tokens: usage.cacheWriteTokens,
    cache_write_1h_tokens: usage.cacheWrite1hTokens ?? 0,
  };
}
