/**
 * `--guardrail` on the wire, both ways. Out: Converse's and ConverseStream's `guardrailConfig`, and
 * InvokeModel's `guardrailIdentifier` / `guardrailVersion` / `trace` members, which the SDK sends as
 * the X-Amzn-Bedrock-GuardrailIdentifier, -GuardrailVersion and -Trace headers. Back: what the
 * guardrail did. Converse says it with `stopReason: guardrail_intervened` and, with a trace,
 * `trace.guardrail`; InvokeModel bodies (and stream chunks) carry `amazon-bedrock-guardrailAction`
 * (INTERVENED or NONE) and, with a trace, `amazon-bedrock-trace`.
 */
import type { CallResult, GuardrailOutcome, PromptRequest } from '../types.js';
import { readGuardrailTrace } from './guardrail-trace.js';

export const INTERVENED = 'guardrail_intervened';

/**
 * The trace asked of Bedrock: at least `enabled`, whatever --guardrail-trace says, since Bedrock
 * reports the text units it bills for the guardrail only in its trace, and a row's cost_usd must
 * hold them. --guardrail-trace decides only whether the trace is written (guardrail_trace): one
 * not asked for stays in memory, so matched personal data reaches no file.
 */
function wireTrace(trace: NonNullable<PromptRequest['guardrail']>['trace']) {
  return trace === 'disabled' ? 'enabled' : trace;
}

/** Converse's `guardrailConfig` for the request, or nothing without --guardrail. */
export function guardrailConfig(request: PromptRequest) {
  const g = request.guardrail;
  if (g === undefined) return {};
  const trace = wireTrace(g.trace);
  return { guardrailConfig: { guardrailIdentifier: g.id, guardrailVersion: g.version, trace } };
}

/** InvokeModel's guardrail members (sent as headers); its `trace` enum is upper-case. */
export function guardrailHeaders(request: PromptRequest) {
  const g = request.guardrail;
  if (g === undefined) return {};
  const trace = wireTrace(g.trace).toUpperCase() as 'ENABLED' | 'ENABLED_FULL';
  return { guardrailIdentifier: g.id, guardrailVersion: g.version, trace };
}

/** What the guardrail did to a Converse call: from its stop reason, and its trace when there is one. */
export function converseGuardrail(
  request: PromptRequest,
  stopReason: string,
  trace: { guardrail?: unknown } | undefined,
): GuardrailOutcome | undefined {
  if (request.guardrail === undefined) return undefined;
  const read = readGuardrailTrace(trace?.guardrail);
  const action = stopReason === INTERVENED ? 'INTERVENED' : 'NONE';
  return { action, ...read };
}

/**
 * Collects the guardrail's keys from an InvokeModel body or stream chunks (the action and the trace
 * may come on different chunks).
 */
export class InvokeGuardrail {
  private action: string | undefined;
  private trace: unknown;

  add(body: Record<string, unknown>): void {
    const action = body['amazon-bedrock-guardrailAction'];
    if (typeof action === 'string') this.action = action;
    const trace = body['amazon-bedrock-trace'];
    if (trace !== null && typeof trace === 'object')
      this.trace = (trace as { guardrail?: unknown }).guardrail;
  }

  /** The result with the guardrail's outcome; an intervention is stop reason guardrail_intervened. */
  apply(request: PromptRequest, result: CallResult): CallResult {
    if (request.guardrail === undefined) return result;
    const intervened = this.action === 'INTERVENED' || result.stopReason === INTERVENED;
    const guardrail: GuardrailOutcome = {
      action: intervened ? 'INTERVENED' : 'NONE',
      ...readGuardrailTrace(this.trace),
    };
    return { ...result, ...(intervened ? { stopReason: INTERVENED } : {}), guardrail };
  }
}
