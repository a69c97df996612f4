/**
 * The two streaming operations' responses: ConverseStream's events and InvokeModelWithResponseStream's
 * `chunk` events (each family's native JSON, base64 in `bytes`, invocation metrics on the last),
 * written as event-stream frames, paced, with the `p` padding Bedrock adds, and optionally broken
 * after the first delta by an in-stream exception.
 */
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Planned } from '../behaviour/generation.js';
import { prng } from '../behaviour/text.js';
import { eventMessage, exceptionMessage, padding } from '../wire/eventstream.js';
import { EXCEPTIONS, type ExceptionName, streamExceptionType } from '../wire/exceptions.js';
import { openEventStream, type Response } from '../wire/http.js';
import { converseUsage, echoes } from './converse.js';
import type { Call } from './operations.js';
import { additionalFields } from './response-fields.js';

export interface StreamEvent {
  type: string;
  payload: Record<string, unknown>;
  /** Carries reply text: paced by msPerToken, and what a mid-stream break waits for. */
  delta: boolean;
}

/** When the call arrived and when its first event left, for the latency fields. */
export interface Clock {
  start: number;
  firstByte?: number;
}

const elapsed = (clock: Clock, at = performance.now()) => Math.round(at - clock.start);

/**
 * ConverseStream: messageStart; per content block (reasoning, text, tool call) its deltas and a
 * contentBlockStop, a tool call opened by contentBlockStart; messageStop; metadata with usage,
 * and the service tier and performance config when the call asked for them.
 */
export function* converseEvents(planned: Planned, clock: Clock): Generator<StreamEvent> {
  const { reply, thinking, tool } = planned;
  yield { type: 'messageStart', payload: { role: 'assistant' }, delta: false };
  let index = 0;
  const delta = (contentBlockIndex: number, d: Record<string, unknown>): StreamEvent => ({
    type: 'contentBlockDelta',
    payload: { contentBlockIndex, delta: d },
    delta: true,
  });
  const stop = (contentBlockIndex: number): StreamEvent => ({
    type: 'contentBlockStop',
    payload: { contentBlockIndex },
    delta: false,
  });
  if (thinking) {
    for (const text of thinking.pieces) yield delta(index, { reasoningContent: { text } });
    yield delta(index, { reasoningContent: { signature: thinking.signature } });
    yield stop(index++);
  }
  if (reply.pieces.length > 0) {
    for (const text of reply.pieces) yield delta(index, { text });
    yield stop(index++);
  }
  if (tool) {
    const start = { toolUse: { toolUseId: `tooluse_${tool.idSuffix}`, name: tool.name } };
    yield { type: 'contentBlockStart', payload: { contentBlockIndex: index, start }, delta: false };
    for (const input of tool.pieces) yield delta(index, { toolUse: { input } });
    yield stop(index++);
  }
  yield {
    type: 'messageStop',
    payload: { stopReason: planned.stopReason, ...additionalFields(planned) },
    delta: false,
  };
  // A generator, so this runs when the event is sent and the latency is the real one.
  yield {
    type: 'metadata',
    payload: { usage: converseUsage(planned), metrics: { latencyMs: elapsed(clock) }, ...echoes(planned) },
    delta: false,
  };
}

/** InvokeModelWithResponseStream: the family's native events as `chunk`s. */
export function* invokeEvents(
  call: Call,
  planned: Planned,
  requestId: string,
  clock: Clock,
): Generator<StreamEvent> {
  const chunks = call.family?.stream(planned, { model: call.model, requestId }) ?? [];
  for (const [i, chunk] of chunks.entries()) {
    let body = chunk.body;
    if (i === chunks.length - 1) {
      body = {
        ...body,
        'amazon-bedrock-invocationMetrics': {
          inputTokenCount: planned.inputTokens,
          outputTokenCount: planned.outputTokens,
          invocationLatency: elapsed(clock),
          firstByteLatency: elapsed(clock, clock.firstByte),
          ...(planned.cache.details.length > 0
            ? { cacheReadInputTokenCount: planned.cache.read, cacheWriteInputTokenCount: planned.cache.write }
            : {}),
        },
      };
    }
    const bytes = Buffer.from(JSON.stringify(body)).toString('base64');
    yield { type: 'chunk', payload: { bytes }, delta: chunk.delta };
  }
}

export interface StreamPlan {
  requestId: string;
  headers: Record<string, string>;
  latencyMs: number;
  msPerToken: number;
  /** Seeds the padding, so the same reply is the same bytes. */
  seed: number;
  /** Break the stream with this exception after the first delta (or the first event if none). */
  midstream?: ExceptionName;
  signal: AbortSignal;
  clock: Clock;
}

/** Writes the stream; returns the deltas sent, and the exception if it was broken on purpose. */
export async function writeStream(
  res: Response,
  events: Iterable<StreamEvent>,
  hasDeltas: boolean,
  plan: StreamPlan,
): Promise<{ deltas: number; broken?: ExceptionName }> {
  const { signal } = plan;
  const random = prng(plan.seed);
  if (plan.latencyMs > 0) await sleep(plan.latencyMs, undefined, { signal });
  signal.throwIfAborted();
  openEventStream(res, plan.requestId, plan.headers);
  let deltas = 0;
  for (const event of events) {
    if (event.delta && plan.msPerToken > 0) await sleep(plan.msPerToken, undefined, { signal });
    signal.throwIfAborted();
    (res as Writable).write(eventMessage(event.type, { ...event.payload, p: padding(random()) }));
    plan.clock.firstByte ??= performance.now();
    if (event.delta) deltas++;
    if (plan.midstream && (event.delta || !hasDeltas)) {
      const name = plan.midstream;
      res.end(exceptionMessage(streamExceptionType(name), { message: EXCEPTIONS[name].message }));
      return { deltas, broken: name };
    }
  }
  res.end();
  return { deltas };
}
