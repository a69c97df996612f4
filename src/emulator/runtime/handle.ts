/**
 * One model request from arrival to outcome, in the order Bedrock would meet it: validation, the
 * scripted directives, quota admission (reserve input + max tokens), injected faults, latency, then
 * the response; the reservation is settled and the outcome counted however the request ends.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PromptCache } from '../behaviour/cache.js';
import { type Arrivals, breaksJson, scripted } from '../behaviour/directives.js';
import type { Faults } from '../behaviour/faults.js';
import { breakJson, type Planned, plan } from '../behaviour/generation.js';
import type { Admission, Quotas } from '../behaviour/quotas.js';
import { admitModel, resolveModel } from '../catalogue/catalogue.js';
import type { ProfileStore } from '../catalogue/profiles.js';
import { guardrailFor } from '../guardrails/attach.js';
import type { GuardrailStore } from '../guardrails/store.js';
import { EmulatedError, TOO_MANY_REQUESTS, TOO_MANY_TOKENS } from '../wire/exceptions.js';
import {
  dropConnection,
  header,
  type Request,
  type Response,
  readBody,
  sendError,
  sendJson,
} from '../wire/http.js';
import { countMedia } from './media-count.js';
import {
  type Call,
  invokeEchoes,
  isStreaming,
  type Operation,
  plainResponse,
  prepare,
} from './operations.js';
import type { Outcome, Stats } from './stats.js';
import { type Clock, converseEvents, invokeEvents, writeStream } from './streams.js';

export interface Served {
  latencyMs: number;
  msPerToken: number;
  stats: Stats;
  quotas: Quotas;
  arrivals: Arrivals;
  faults: Faults;
  /** Prompt-cache entries, on the emulator's clock. */
  cache: PromptCache;
  /** Aborted when the emulator closes, to end pending latencies at once. */
  closing: AbortSignal;
  /** The guardrails the control plane made, for calls that name one. */
  guardrails: GuardrailStore;
  /** Model calls that name no guardrail are denied. */
  requireGuardrail: boolean;
  /** Application inference profiles: a call naming one's ARN is answered as its model. */
  profiles: ProfileStore;
}

export async function handleModelRequest(
  req: Request,
  res: Response,
  operation: Operation,
  named: string,
  served: Served,
): Promise<void> {
  // An application profile's ARN answers as what it was copied from; an unknown one stays invalid.
  const target = served.profiles.modelFor(named);
  const label = target ?? named;
  if (target !== undefined) served.stats.profile(named);
  const clock: Clock = { start: performance.now() };
  const requestId = randomUUID();
  const model = resolveModel(label);
  // Profiles and ARNs count against their base model, as Bedrock's quotas do.
  const end = served.stats.begin(model?.id ?? label, operation);
  // Drawn on arrival, before any await, so the fault sequence follows the arrival order.
  const fault = served.faults.next(
    operation === 'count-tokens' ? 'count-tokens' : isStreaming(operation) ? 'stream' : 'plain',
  );
  // Aborted when the client goes away before the response ends, or the emulator closes. (Plain
  // listeners rather than AbortSignal.any, and no abort after a normal end: both cost more than
  // the rest of a request.)
  const cancel = new AbortController();
  const { signal } = cancel;
  const stop = () => cancel.abort();
  served.closing.addEventListener('abort', stop, { once: true });
  res.once('close', () => {
    if (!res.writableEnded) stop();
    served.closing.removeEventListener('abort', stop);
  });
  let admission: Extract<Admission, { ok: true }> | undefined;
  let outputTokens = 0;
  /** What the quota counts for the call besides its output: uncached input and cache writes. */
  let countedInput = 0;
  let burndown = 1;
  try {
    const body = await readBody(req);
    served.stats.media(countMedia(body));
    const call = prepare(operation, admitModel(label, operation === 'count-tokens'), body, (name) =>
      header(req, name),
    );
    const { model: admittedModel } = call;
    served.stats.metadata(call.metadata);
    // A guardrail the call names must exist (refused before anything else is decided).
    const guard = guardrailFor(operation, body, (name) => header(req, name), call, served);
    let planned = plan(call.generation, served.cache);
    if (operation !== 'count-tokens') {
      // CountTokens is free: no directives, no quota; only --fail-rate reaches it.
      const { throttle, fail, badjson } = planned.directives;
      // Only bodies that script a count are remembered, so a long benchmark does not grow a map.
      const arrival =
        throttle || fail || badjson ? served.arrivals.arrive(operation, admittedModel.id, body) : 1;
      const script = scripted(planned.directives, arrival);
      if (script?.kind === 'throttle')
        throw new EmulatedError('ThrottlingException', TOO_MANY_REQUESTS, 'throttle');
      if (planned.json && breaksJson(planned.directives, arrival)) planned = breakJson(planned);
      if (guard) planned = guard.apply(planned);
      // Reserved: the whole prompt (cache reads and writes are input too) and the most output the
      // call may produce; counted at the end: input, cache writes, output times the burndown.
      const { generation } = call;
      const input = planned.inputTokens + planned.cache.read + planned.cache.write;
      const output = generation.maxTokensUnset ? admittedModel.maxOutputTokens : generation.maxTokens;
      countedInput = planned.inputTokens + planned.cache.write;
      burndown = admittedModel.outputBurndown ?? 1;
      const admitted = served.quotas.admit(admittedModel.id, input + output, planned.serviceTier);
      if (!admitted.ok) {
        const message = admitted.limit === 'rpm' ? TOO_MANY_REQUESTS : TOO_MANY_TOKENS;
        throw new EmulatedError('ThrottlingException', message, 'throttle');
      }
      admission = admitted;
      if (script?.kind === 'fail') throw new EmulatedError(script.exception, undefined, 'fault');
    }
    if (fault?.kind === 'error') throw new EmulatedError(fault.exception, undefined, 'fault');
    if (fault?.kind === 'drop') {
      dropConnection(res);
      return end({ kind: 'dropped' });
    }
    const latencyMs = operation === 'count-tokens' ? 0 : (planned.directives.latencyMs ?? served.latencyMs);
    if (isStreaming(operation)) {
      const midstream = fault?.kind === 'midstream' ? fault.exception : planned.directives.midstream;
      let events =
        operation === 'converse-stream'
          ? converseEvents(planned, clock)
          : invokeEvents(call, planned, requestId, clock);
      if (guard) events = guard.events(events);
      const written = await writeStream(res, events, planned.outputTokens > 0, {
        requestId,
        headers: streamHeaders(call, planned),
        latencyMs,
        msPerToken: served.msPerToken,
        seed: planned.seed,
        ...(midstream ? { midstream } : {}),
        signal,
        clock,
      });
      outputTokens = written.deltas;
      // Scripted or random, a broken stream is an injected fault.
      if (written.broken)
        return end({ kind: 'error', exception: written.broken, fault: true, midstream: true });
      outputTokens = planned.outputTokens;
    } else {
      const total = latencyMs + served.msPerToken * planned.outputTokens;
      if (total > 0) await sleep(total, undefined, { signal });
      signal.throwIfAborted();
      outputTokens = planned.outputTokens;
      const plain = plainResponse(call, planned, elapsed(clock), requestId);
      const { headers } = plain;
      const answer = guard ? guard.body(plain.body) : plain.body;
      if (operation !== 'count-tokens') served.cache.commit(admittedModel.id, planned.cache.store);
      end(okOutcome(call, planned.inputTokens, outputTokens));
      sendJson(res, 200, answer, requestId, headers);
      return;
    }
    served.cache.commit(admittedModel.id, planned.cache.store);
    end(okOutcome(call, planned.inputTokens, outputTokens));
  } catch (error) {
    if (signal.aborted) {
      if (!res.headersSent) res.destroy();
      return end({ kind: 'cancelled' });
    }
    const emulated = error instanceof EmulatedError ? error : new EmulatedError('InternalServerException');
    end({
      kind: 'error',
      exception: emulated.exception,
      throttle: emulated.counted === 'throttle',
      fault: emulated.counted === 'fault',
    });
    if (!res.headersSent) sendError(res, emulated, requestId);
    else res.destroy();
  } finally {
    // Settle the reservation to what the quota counts for what was really generated.
    admission?.settle(countedInput + outputTokens * burndown);
  }
}

function okOutcome(call: Call, inputTokens: number, outputTokens: number): Outcome {
  // CountTokens is free: its tokens are not usage.
  if (call.operation === 'count-tokens') return { kind: 'ok', inputTokens: 0, outputTokens: 0 };
  return { kind: 'ok', inputTokens, outputTokens };
}

function streamHeaders(call: Call, planned: Planned): Record<string, string> {
  return call.operation === 'invoke-with-response-stream'
    ? { 'x-amzn-bedrock-content-type': 'application/json', ...invokeEchoes(planned) }
    : {};
}

function elapsed(clock: Clock): number {
  return Math.round(performance.now() - clock.start);
}
