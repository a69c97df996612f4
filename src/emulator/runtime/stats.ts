/**
 * What the emulator saw, for tests and benchmarks: requests, outcomes, and the peak number of
 * requests in flight at once, overall and per model and operation. Served at GET /__emulator/stats.
 * Tests count retries, throttles and faults here instead of timing anything.
 */

export interface Counters {
  /** Model requests that arrived (every attempt of every operation). */
  requests: number;
  ok: number;
  /** Requests that did not end ok: validation errors, throttles, faults, drops, cancellations. */
  errors: number;
  /** ThrottlingException from a quota (--rpm/--tpm) or the throttle directive. */
  throttled: number;
  /** Injected failures: --fail-rate and the error/fail/midstream directives. */
  faults: number;
  /** Faults that dropped the connection without a response (a subset of faults). */
  dropped: number;
  /** Faults sent as an exception inside a stream (a subset of faults). */
  midstream: number;
  /** Requests the client gave up on before the response ended. */
  cancelled: number;
  /** Tokens of requests that ended ok. */
  inputTokens: number;
  outputTokens: number;
}

export interface StatsSnapshot extends Counters {
  /** Attachments carried by the requests that arrived (media-count.ts), every attempt counted. */
  media: MediaCount;
  inFlight: number;
  peakInFlight: number;
  byModel: Record<string, Counters>;
  byOperation: Record<string, Counters>;
  /** Error responses and in-stream exceptions by exception name. */
  byException: Record<string, number>;
  /** Guardrail evaluations (prompt and answer each count one; ApplyGuardrail counts one). */
  guardrails: GuardrailCounters;
  /** The request metadata of the last calls that carried some (at most METADATA_KEPT, oldest first). */
  requestMetadata: Array<Record<string, string>>;
  /** Model requests that named an application inference profile, by its ARN. */
  byProfile: Record<string, number>;
}

/** Enough for any test to see every call's metadata; bounded so a benchmark does not grow it. */
const METADATA_KEPT = 1000;

export interface GuardrailCounters {
  evaluations: number;
  /** Evaluations where a BLOCK fired. */
  blocked: number;
  /** Evaluations where ANONYMIZE masked something and nothing blocked. */
  masked: number;
  /** Text units, summed over policies (what Bedrock bills, free units included). */
  units: number;
}

import type { MediaCount } from './media-count.js';

export type Outcome =
  | { kind: 'ok'; inputTokens: number; outputTokens: number }
  | { kind: 'error'; exception: string; throttle?: boolean; fault?: boolean; midstream?: boolean }
  | { kind: 'dropped' }
  | { kind: 'cancelled' };

function zero(): Counters {
  return {
    requests: 0,
    ok: 0,
    errors: 0,
    throttled: 0,
    faults: 0,
    dropped: 0,
    midstream: 0,
    cancelled: 0,
    inputTokens: 0,
    outputTokens: 0,
  };
}

function record(c: Counters, outcome: Outcome): void {
  if (outcome.kind === 'ok') {
    c.ok++;
    c.inputTokens += outcome.inputTokens;
    c.outputTokens += outcome.outputTokens;
    return;
  }
  c.errors++;
  if (outcome.kind === 'dropped') {
    c.faults++;
    c.dropped++;
  } else if (outcome.kind === 'cancelled') {
    c.cancelled++;
  } else {
    if (outcome.throttle) c.throttled++;
    if (outcome.fault) c.faults++;
    if (outcome.midstream) c.midstream++;
  }
}

export class Stats {
  private total = zero();
  private inFlight = 0;
  private peak = 0;
  private byModel: Record<string, Counters> = {};
  private byOperation: Record<string, Counters> = {};
  private byException: Record<string, number> = {};
  private mediaSeen: MediaCount = { images: 0, documents: 0, s3Locations: 0 };
  private guardrailSeen: GuardrailCounters = { evaluations: 0, blocked: 0, masked: 0, units: 0 };
  private metadataSeen: Array<Record<string, string>> = [];
  private profileCalls: Record<string, number> = {};

  /** Keeps a call's request metadata (checked already). */
  metadata(metadata: Record<string, string> | undefined): void {
    if (!metadata) return;
    this.metadataSeen.push({ ...metadata });
    if (this.metadataSeen.length > METADATA_KEPT) this.metadataSeen.shift();
  }

  /** Counts a model request that named an application profile's ARN. */
  profile(arn: string): void {
    this.profileCalls[arn] = (this.profileCalls[arn] ?? 0) + 1;
  }

  /** Counts one guardrail evaluation. */
  guardrail(evaluation: { blocked: boolean; masked: boolean; usage: Record<string, number> }): void {
    const c = this.guardrailSeen;
    c.evaluations++;
    if (evaluation.blocked) c.blocked++;
    if (evaluation.masked) c.masked++;
    c.units += Object.values(evaluation.usage).reduce((sum, n) => sum + n, 0);
  }

  /** Counts the attachments of a request that arrived. */
  media(count: MediaCount | undefined): void {
    if (!count) return;
    this.mediaSeen.images += count.images;
    this.mediaSeen.documents += count.documents;
    this.mediaSeen.s3Locations += count.s3Locations;
  }

  /**
   * Call when a model request arrives, before its body is read, so peak in-flight covers every
   * request being served; returns the function to call once with its outcome.
   */
  begin(model: string, operation: string): (outcome: Outcome) => void {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    const groups = [this.total, (this.byModel[model] ??= zero()), (this.byOperation[operation] ??= zero())];
    for (const c of groups) c.requests++;
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      for (const c of groups) record(c, outcome);
      if (outcome.kind === 'error')
        this.byException[outcome.exception] = (this.byException[outcome.exception] ?? 0) + 1;
    };
  }

  snapshot(): StatsSnapshot {
    return {
      ...this.total,
      inFlight: this.inFlight,
      peakInFlight: this.peak,
      byModel: structuredClone(this.byModel),
      byOperation: structuredClone(this.byOperation),
      byException: { ...this.byException },
      media: { ...this.mediaSeen },
      guardrails: { ...this.guardrailSeen },
      requestMetadata: this.metadataSeen.map((m) => ({ ...m })),
      byProfile: { ...this.profileCalls },
    };
  }

  /** Clears the counters; requests still in flight keep counting toward the new peak. */
  reset(): void {
    this.total = zero();
    this.peak = this.inFlight;
    this.byModel = {};
    this.byOperation = {};
    this.byException = {};
    this.mediaSeen = { images: 0, documents: 0, s3Locations: 0 };
    this.guardrailSeen = { evaluations: 0, blocked: 0, masked: 0, units: 0 };
    this.metadataSeen = [];
    this.profileCalls = {};
  }
}
