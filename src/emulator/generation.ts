/**
 * The model-independent core of every operation: a request reduced to what generation needs
 * (prompt texts, max tokens, stop sequences, a canonical form for seeding), and the reply it gets.
 */
import type { ModelInfo } from './catalogue.js';
import { type Directives, parseDirectives } from './directives.js';
import { countTokens, naturalLength, type Reply, reply, seedOf } from './text.js';

export interface Generation {
  model: ModelInfo;
  /** Every prompt text (system and messages), for token counting and directives. */
  texts: string[];
  maxTokens: number;
  stopSequences: string[];
  /**
   * The request in a canonical form, without max tokens and stop sequences: equal requests, from any
   * client, get equal replies, and a limit or stop sequence cuts the same reply short.
   */
  canonical: string;
}

export interface Planned {
  /** The seed of the reply; also seeds the stream padding, so a reply's bytes are reproducible. */
  seed: number;
  reply: Reply;
  inputTokens: number;
  directives: Directives;
}

export function plan(generation: Generation): Planned {
  const directives = parseDirectives(generation.texts);
  const seed = seedOf(`${generation.model.id}\n${generation.canonical}`);
  const natural = directives.tokens ?? naturalLength(seed);
  const inputTokens = generation.texts.reduce((sum, text) => sum + countTokens(text), 0);
  return {
    seed,
    reply: reply(seed, natural, generation.maxTokens, generation.stopSequences),
    inputTokens,
    directives,
  };
}

/** JSON with object keys sorted, so key order (which differs between SDKs) does not change it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The canonical form of a request body without the fields that only cut a reply short. */
export function canonicalWithout(body: Record<string, unknown>, omit: readonly string[]): string {
  return canonicalJson(Object.fromEntries(Object.entries(body).filter(([key]) => !omit.includes(key))));
}
