/**
 * A guardrail on one model call, in Bedrock's order (reference §10.9): the prompt is judged first;
 * a block answers with the guardrail's blocked-input message and no inference is charged (usage 0).
 * Otherwise the model answers and its text is judged: a block replaces it with the blocked-output
 * message (the model's tokens are still charged), an ANONYMIZE masks it. Then each response form
 * gets what Bedrock adds: Converse's `stopReason: guardrail_intervened` and `trace.guardrail`
 * (ConverseStream: in messageStop and the metadata event), InvokeModel's
 * `amazon-bedrock-guardrailAction` and `amazon-bedrock-trace` (the stream: on its last chunk).
 */
import type { ContentHit } from '../behaviour/directives.js';
import type { Planned } from '../behaviour/generation.js';
import type { GuardrailCall } from './config.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { appliedDetails } from './store.js';

/** What the emulator's stats count of each evaluation. */
export type CountEvaluation = (evaluation: Evaluation) => void;

interface Event {
  type: string;
  payload: Record<string, unknown>;
}

export class GuardrailRun {
  private input?: Evaluation;
  private output?: Evaluation;
  /** The model's answer before the guardrail replaced or masked it. */
  private modelOutput?: string;

  constructor(
    private readonly call: GuardrailCall,
    private readonly prompt: string[],
    private readonly count: CountEvaluation,
    /** Which response form gets the guardrail's fields: Converse's or InvokeModel's. */
    private readonly form: 'converse' | 'invoke',
  ) {}

  /** A non-streaming response body with the guardrail's fields. */
  body(body: unknown): unknown {
    return this.form === 'converse'
      ? this.converseBody(body as Record<string, unknown>)
      : this.invokeBody(body);
  }

  /** A stream's events with the guardrail's fields. */
  events<E extends Event>(events: Iterable<E>): Generator<E> {
    return this.form === 'converse' ? this.converseEvents(events) : this.invokeEvents(events);
  }

  get intervened(): boolean {
    return Boolean(this.input?.blocked || this.output?.blocked || this.output?.masked);
  }

  /** Judges the prompt, and the answer when the prompt passed; returns the answer to send. */
  apply(planned: Planned): Planned {
    const { version, trace } = this.call;
    const full = trace === 'enabled_full';
    const hits = planned.directives.guardrail ?? [];
    const side = (output: boolean) => hits.filter((hit: ContentHit) => hit.output === output);
    this.input = this.judged(evaluate(version, 'input', this.prompt, side(false), full));
    if (this.input.blocked) {
      const { thinking: _t, tool: _u, ...rest } = planned;
      return {
        ...rest,
        reply: textReply(version.blockedInputMessaging),
        outputTokens: 0,
        inputTokens: 0,
        stopReason: 'end_turn',
        cache: { read: 0, write: 0, details: [], store: [] },
      };
    }
    if (planned.reply.text === '') return planned;
    this.output = this.judged(evaluate(version, 'output', [planned.reply.text], side(true), full));
    if (this.output.blocked || this.output.masked) this.modelOutput = planned.reply.text;
    if (this.output.blocked) {
      const { thinking: _t, tool: _u, ...rest } = planned;
      return {
        ...rest,
        reply: { ...textReply(version.blockedOutputsMessaging), outputTokens: planned.reply.outputTokens },
      };
    }
    if (this.output.masked) {
      const text = this.output.texts.join('');
      return { ...planned, reply: { ...planned.reply, text, pieces: piecesOf(text) } };
    }
    return planned;
  }

  /** Counts an evaluation and names the guardrail in its assessment. */
  private judged(evaluation: Evaluation): Evaluation {
    this.count(evaluation);
    evaluation.assessment.appliedGuardrailDetails = appliedDetails(this.call.guardrail, this.call.version);
    return evaluation;
  }

  /** GuardrailTraceAssessment, keyed by the guardrail's id as Bedrock keys it. */
  trace(): Record<string, unknown> {
    const id = this.call.guardrail.id;
    return {
      ...(this.modelOutput !== undefined && this.call.trace === 'enabled_full'
        ? { modelOutput: [this.modelOutput] }
        : {}),
      ...(this.input ? { inputAssessment: { [id]: this.input.assessment } } : {}),
      ...(this.output ? { outputAssessments: { [id]: [this.output.assessment] } } : {}),
    };
  }

  private get traced(): boolean {
    return this.call.trace !== 'disabled';
  }

  converseBody(body: Record<string, unknown>): Record<string, unknown> {
    return {
      ...body,
      ...(this.intervened ? { stopReason: 'guardrail_intervened' } : {}),
      ...(this.traced ? { trace: { guardrail: this.trace() } } : {}),
    };
  }

  *converseEvents<E extends Event>(events: Iterable<E>): Generator<E> {
    for (const event of events) {
      if (event.type === 'messageStop' && this.intervened)
        yield { ...event, payload: { ...event.payload, stopReason: 'guardrail_intervened' } };
      else if (event.type === 'metadata' && this.traced)
        yield { ...event, payload: { ...event.payload, trace: { guardrail: this.trace() } } };
      else yield event;
    }
  }

  invokeBody(body: unknown): unknown {
    return {
      ...(body as Record<string, unknown>),
      'amazon-bedrock-guardrailAction': this.intervened ? 'INTERVENED' : 'NONE',
      ...(this.traced ? { 'amazon-bedrock-trace': { guardrail: this.trace() } } : {}),
    };
  }

  /** The stream's chunks, the last one (which carries the invocation metrics) with the guardrail's fields. */
  *invokeEvents<E extends Event>(events: Iterable<E>): Generator<E> {
    let held: E | undefined;
    for (const event of events) {
      if (held) yield held;
      held = event;
    }
    if (!held) return;
    if (held.type !== 'chunk' || typeof held.payload.bytes !== 'string') {
      yield held;
      return;
    }
    const body = JSON.parse(Buffer.from(held.payload.bytes, 'base64').toString('utf8')) as unknown;
    const bytes = Buffer.from(JSON.stringify(this.invokeBody(body))).toString('base64');
    yield { ...held, payload: { ...held.payload, bytes } };
  }
}

/** A fixed text as a reply, in word pieces for a stream's deltas. */
function textReply(text: string): Planned['reply'] {
  return { text, pieces: piecesOf(text), outputTokens: 0, stopReason: 'end_turn', stopSequence: null };
}

function piecesOf(text: string): string[] {
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const rest = text.slice(pieces.join('').length);
  if (rest !== '') pieces.push(rest);
  return pieces;
}
