/**
 * The runtime's one question to the guardrails: does this model call name a guardrail, and if so,
 * the GuardrailRun that judges it. Converse bodies are read again here (they were valid JSON, as
 * the request was prepared first) only when they mention `guardrailConfig`.
 */
import { converseGuardrail, guardedTexts, invokeGuardrail } from './config.js';
import { type CountEvaluation, GuardrailRun } from './run.js';
import type { GuardrailStore } from './store.js';

export function guardrailFor(
  operation: string,
  body: Buffer,
  header: (name: string) => string | undefined,
  prompt: string[],
  store: GuardrailStore,
  count: CountEvaluation,
): GuardrailRun | undefined {
  if (operation === 'converse' || operation === 'converse-stream') {
    if (!body.includes('"guardrailConfig"')) return undefined;
    const request: unknown = JSON.parse(body.toString('utf8'));
    const call = converseGuardrail(request, store, operation === 'converse-stream');
    return call ? new GuardrailRun(call, guardedTexts(request), count) : undefined;
  }
  if (operation === 'invoke' || operation === 'invoke-with-response-stream') {
    const call = invokeGuardrail(header, store);
    return call ? new GuardrailRun(call, prompt, count) : undefined;
  }
  return undefined;
}
