/**
 * The judge's reply as an answer record (what the ledger keeps for the judge's request, priced as
 * any answer is), and the cost of a judge call that failed after bad replies were billed. Pure
 * over the pricer, so nothing here reaches the results file or the ledger itself.
 */
import type { Pricer } from '../cost/cost.js';
import type { PlannedRow } from '../plan/plan.js';
import type { CallResult, ResultRecord, Usage } from '../types.js';

export function replyRecord(
  asked: PlannedRow,
  result: CallResult,
  meta: { attempts: number; latencyMs: number },
  price: (record: ResultRecord) => number | null,
): ResultRecord {
  const record: ResultRecord = {
    id: asked.request.id,
    status: 'ok',
    model: asked.request.model,
    response: result.text,
    stop_reason: result.stopReason,
    ...usageFields(result.usage),
    cost_usd: null,
    latency_ms: Math.round(meta.latencyMs),
    attempts: meta.attempts,
    finished_at: new Date().toISOString(),
    error_code: '',
    error_message: '',
    request_hash: asked.fingerprint,
    service_tier: result.serviceTier ?? 'default',
  };
  record.cost_usd = price(record);
  return record;
}

/** What bad replies (billed, then given up on) cost. */
export function failedCost(
  asked: PlannedRow,
  usage: Usage,
  price: (record: ResultRecord) => number | null,
): number | null {
  return price({ status: 'error', model: asked.request.model, ...usageFields(usage) } as ResultRecord);
}

/** A pricer that never throws: a price that cannot be had is null, with a warning. */
export function safePrice(pricer: Pricer, onWarning?: (message: string) => void) {
  return (record: ResultRecord): number | null => {
    try {
      return pricer.recordCost(record);
    } catch (error) {
      onWarning?.(`--judge: cannot price "${record.model}": ${(error as Error).message}`);
      return null;
    }
  };
}

function usageFields(usage: Usage) {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cache_write_tokens: usage.cacheWriteTokens,
  };
}
