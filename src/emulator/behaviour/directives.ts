/**
 * Scripted behaviour written into the prompt text, for tests: `[[emulator:throttle=2]]`,
 * `[[emulator:error=AccessDeniedException]]`, `[[emulator:fail=1:InternalServerException]]`,
 * `[[emulator:latency=250]]`, `[[emulator:tokens=40]]`, `[[emulator:midstream=ModelStreamErrorException]]`,
 * `[[emulator:badjson=2]]` (a structured-output answer is broken JSON the first 2 times),
 * `[[emulator:guardrail=HATE]]` (a guardrail's content filter judges this prompt HATE, confidence
 * HIGH unless given: `HATE:LOW`; `output:VIOLENCE` judges the model's answer instead).
 *
 * throttle and fail count arrivals of the exact same request (operation, model, body bytes): the
 * SDKs resend identical bytes on each retry, so "fail the first N times" scripts a retry sequence.
 */
import { createHash } from 'node:crypto';
import { EmulatedError, type ExceptionName, isExceptionName } from '../wire/exceptions.js';

export interface Directives {
  throttle?: number;
  error?: ExceptionName;
  fail?: { times: number; exception: ExceptionName };
  latencyMs?: number;
  tokens?: number;
  midstream?: ExceptionName;
  badjson?: number;
  /** What a guardrail's content filters find (guardrails/evaluate.ts); several may be given. */
  guardrail?: ContentHit[];
}

export const CONTENT_FILTERS = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT', 'PROMPT_ATTACK'];
const CONFIDENCES = ['LOW', 'MEDIUM', 'HIGH'] as const;

export interface ContentHit {
  /** Judges the model's answer rather than the prompt. */
  output: boolean;
  type: string;
  confidence: (typeof CONFIDENCES)[number];
}

/** The exceptions an event stream can carry (the stream unions of reference §2.3 and §2.5). */
export const STREAM_EXCEPTIONS: ReadonlySet<ExceptionName> = new Set<ExceptionName>([
  'InternalServerException',
  'ModelStreamErrorException',
  'ValidationException',
  'ThrottlingException',
  'ModelTimeoutException',
  'ServiceUnavailableException',
]);

const PATTERN = /\[\[emulator:([^\]=]*)=([^\]]*)\]\]/g;

/**
 * Reads every directive in the texts. A misspelt one is refused (ValidationException naming it)
 * rather than ignored, so a test cannot silently run without the behaviour it scripted.
 */
export function parseDirectives(texts: readonly string[]): Directives {
  const found: Directives = {};
  for (const text of texts) {
    for (const [whole, key = '', value = ''] of text.matchAll(PATTERN)) {
      const bad = (expected: string): never => {
        throw new EmulatedError('ValidationException', `Emulator directive ${whole}: ${expected}.`);
      };
      switch (key) {
        case 'throttle':
          found.throttle = wholeNumber(value) ?? bad('expected a whole number');
          break;
        case 'latency':
          found.latencyMs = wholeNumber(value) ?? bad('expected a whole number of milliseconds');
          break;
        case 'badjson':
          found.badjson = wholeNumber(value) ?? bad('expected a whole number');
          break;
        case 'tokens':
          found.tokens = wholeNumber(value) ?? bad('expected a whole number');
          break;
        case 'error':
          found.error = exceptionName(value) ?? bad('unknown exception name');
          break;
        case 'fail': {
          const [times = '', name = ''] = value.split(':');
          found.fail = {
            times: wholeNumber(times) ?? bad('expected N:ExceptionName'),
            exception: exceptionName(name) ?? bad('unknown exception name'),
          };
          break;
        }
        case 'midstream': {
          const name = exceptionName(value);
          found.midstream =
            name !== undefined && STREAM_EXCEPTIONS.has(name)
              ? name
              : bad(`expected one of ${[...STREAM_EXCEPTIONS].join(', ')}`);
          break;
        }
        case 'guardrail':
          (found.guardrail ??= []).push(
            contentHit(value) ??
              bad(`expected [output:]TYPE[:LOW|MEDIUM|HIGH], TYPE one of ${CONTENT_FILTERS.join(', ')}`),
          );
          break;
        default:
          bad('unknown directive (throttle, error, fail, latency, tokens, midstream, badjson, guardrail)');
      }
    }
  }
  return found;
}

/** What the scripted directives make of the n-th arrival (1-based) of the same request. */
export type Scripted = { kind: 'throttle' } | { kind: 'fail'; exception: ExceptionName } | undefined;

/**
 * The first `throttle` arrivals are throttled; then `error` fails every arrival; otherwise the next
 * `fail.times` arrivals fail. So throttle=2 with fail=1:X gives two throttles, one X, then success.
 */
export function scripted(directives: Directives, arrival: number): Scripted {
  const throttles = directives.throttle ?? 0;
  if (arrival <= throttles) return { kind: 'throttle' };
  if (directives.error) return { kind: 'fail', exception: directives.error };
  if (directives.fail && arrival - throttles <= directives.fail.times)
    return { kind: 'fail', exception: directives.fail.exception };
  return undefined;
}

/**
 * Whether the n-th arrival gets broken JSON: the `badjson` count runs after the scripted throttles
 * and failures, so throttle=1 with badjson=1 gives a throttle, broken JSON, then valid JSON.
 */
export function breaksJson(directives: Directives, arrival: number): boolean {
  if (!directives.badjson || directives.error) return false;
  const before = (directives.throttle ?? 0) + (directives.fail?.times ?? 0);
  return arrival > before && arrival <= before + directives.badjson;
}

/**
 * Counts arrivals per exact request: operation + resolved model id + sha256 of the body bytes,
 * less Converse's `requestMetadata`. The metadata (a run's id, a row's id) is a label on the call,
 * not part of what is asked: the same question from the next run is the same request arriving again.
 */
export class Arrivals {
  private counts = new Map<string, number>();

  arrive(operation: string, modelId: string, body: Buffer): number {
    const key = `${operation}\n${modelId}\n${createHash('sha256').update(withoutMetadata(body)).digest('hex')}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }

  reset(): void {
    this.counts.clear();
  }
}

function withoutMetadata(body: Buffer): Buffer | string {
  if (!body.includes('"requestMetadata"')) return body;
  try {
    const { requestMetadata: _label, ...asked } = JSON.parse(body.toString('utf8'));
    return JSON.stringify(asked);
  } catch {
    return body;
  }
}

function contentHit(text: string): ContentHit | undefined {
  const output = text.startsWith('output:');
  const [type = '', confidence = 'HIGH', ...rest] = (output ? text.slice(7) : text).split(':');
  if (rest.length > 0 || !CONTENT_FILTERS.includes(type)) return undefined;
  const level = CONFIDENCES.find((c) => c === confidence);
  return level ? { output, type, confidence: level } : undefined;
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Accepts the class name (`ModelStreamErrorException`) or its lowerCamel stream form. */
function exceptionName(text: string): ExceptionName | undefined {
  const pascal = text.charAt(0).toUpperCase() + text.slice(1);
  return isExceptionName(pascal) ? pascal : undefined;
}
