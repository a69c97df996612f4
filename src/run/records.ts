/** Builds the per-row ResultRecord from a call's outcome; failures are data, never thrown. */
import type { CallFailure } from '../bedrock/errors.js';
import { traceText } from '../bedrock/guardrail-trace.js';
import { guardrailUsd } from '../cost/guardrail-cost.js';
import type { Finished } from '../engines/engine.js';
import type { PlannedRow } from '../plan/plan.js';
import type { CallResult, GuardrailOutcome, PromptRequest, ResultRecord, Usage } from '../types.js';

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
  if (request.guardrail) Object.assign(record, guardrailFields(request, result.guardrail));
  return record;
}

/** --guardrail: what it did, its trace when asked for, and its cost when the trace reported units. */
function guardrailFields(request: PromptRequest, outcome: GuardrailOutcome | undefined) {
  const traced = request.guardrail?.trace !== 'disabled';
  return {
    guardrail_action: outcome?.action ?? '',
    ...(traced ? { guardrail_trace: outcome ? traceText(outcome) : '' } : {}),
    guardrail_usd: guardrailUsd(outcome?.units),
  };
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
  if (request.guardrail) record.guardrail_action = '';
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
