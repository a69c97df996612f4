/**
 * The runtime's one question to the guardrails: does this model call name a guardrail, and if so,
 * the GuardrailRun that judges it. Converse bodies are read again here (they were valid JSON, as
 * the request was prepared first) only when they mention `guardrailConfig`. With `requireGuardrail`
 * a call that names none is denied, as IAM denies it where a policy requires
 * `bedrock:GuardrailIdentifier`.
 */
import { EmulatedError } from '../wire/exceptions.js';
import { converseGuardrail, guardedTexts, invokeGuardrail } from './config.js';
import { type CountEvaluation, GuardrailRun } from './run.js';
import type { GuardrailStore } from './store.js';

export function guardrailFor(
  operation: string,
  body: Buffer,
  header: (name: string) => string | undefined,
  call: { model: { id: string }; generation: { texts: string[] } },
  served: { guardrails: GuardrailStore; stats: { guardrail: CountEvaluation }; requireGuardrail: boolean },
): GuardrailRun | undefined {
  const run = named(operation, body, header, call.generation.texts, served.guardrails, (evaluation) =>
    served.stats.guardrail(evaluation),
  );
  if (run || !served.requireGuardrail || operation === 'count-tokens') return run;
  const action = operation.endsWith('stream') ? 'InvokeModelWithResponseStream' : 'InvokeModel';
  throw new EmulatedError(
    'AccessDeniedException',
    `User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:${action} on resource: arn:aws:bedrock:us-east-1::foundation-model/${call.model.id} with an explicit deny in an identity-based policy`,
  );
}

function named(
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
    return call ? new GuardrailRun(call, guardedTexts(request), count, 'converse') : undefined;
  }
  if (operation === 'invoke' || operation === 'invoke-with-response-stream') {
    const call = invokeGuardrail(header, store);
    return call ? new GuardrailRun(call, prompt, count, 'invoke') : undefined;
  }
  return undefined;
}
