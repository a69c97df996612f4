/**
 * The model-independent core of every operation: a request reduced to what generation needs
 * (prompt texts, limits, tools, an output schema, thinking, cache points, a canonical form for
 * seeding), and the answer it gets: an optional reasoning block, then text (prose or JSON), or a
 * tool call. The same request always gets the same answer.
 */
import { createHash } from 'node:crypto';
import type { ModelInfo } from '../catalogue/catalogue.js';
import { canonicalJson } from '../wire/canonical.js';
import type { CachePoint, CacheUsage, PromptCache } from './cache.js';
import { type Directives, parseDirectives } from './directives.js';
import { sampleSchema } from './schema.js';
import { countTokens, generatePieces, naturalLength, type Reply, reply, seedOf } from './text.js';
import { chooseTool, type ToolChoice, type ToolDef } from './tools.js';

export { canonicalJson } from '../wire/canonical.js';
export type { ToolChoice, ToolDef } from './tools.js';

export interface Generation {
  model: ModelInfo;
  /** Every prompt text (system and messages), for token counting and directives. */
  texts: string[];
  maxTokens: number;
  /** The request set no output limit: Bedrock's quota then reserves the model's most output. */
  maxTokensUnset?: true;
  stopSequences: string[];
  /**
   * The request in a canonical form, without max tokens and stop sequences: equal requests, from any
   * client, get equal replies, and a limit or stop sequence cuts the same reply short.
   */
  canonical: string;
  /** The whole prompt's tokens when the codec counts more than the texts (tools, images, documents). */
  inputTokens?: number;
  tools?: ToolDef[];
  toolChoice?: ToolChoice;
  /** The last user text, for the `auto` rule (tools.ts). */
  lastUserText?: string;
  /** The last user turn returns tool results: the model answers them in text. */
  afterToolResult?: boolean;
  /** A JSON Schema the text answer must validate against (structured output). */
  outputSchema?: unknown;
  /** Extended thinking's budget, when enabled. */
  thinkingBudget?: number;
  /** Cache points in prompt order, each with the prefix it closes. */
  cachePoints?: CachePoint[];
  /** The service tier and latency asked for, echoed back. */
  serviceTier?: string;
  latency?: string;
  /** Converse's additionalModelResponseFieldPaths, answered from the native response's fields. */
  responseFieldPaths?: string[];
}

export interface Thinking {
  text: string;
  pieces: string[];
  signature: string;
  tokens: number;
}

export interface ToolCall {
  /** 22 characters derived from the request; each codec adds its own prefix. */
  idSuffix: string;
  name: string;
  input: unknown;
  /** The input JSON in one-token pieces, cut short when max tokens ran out. */
  pieces: string[];
  complete: boolean;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

export interface Planned {
  /** The seed of the reply; also seeds the stream padding, so a reply's bytes are reproducible. */
  seed: number;
  /** The text block (empty when the answer is only a tool call). */
  reply: Reply;
  thinking?: Thinking;
  tool?: ToolCall;
  /** Every output token: thinking, text and tool input. */
  outputTokens: number;
  stopReason: StopReason;
  /** Input tokens not read from or written to the cache. */
  inputTokens: number;
  cache: CacheUsage;
  directives: Directives;
  /** The answer is JSON text (structured output). */
  json: boolean;
  serviceTier?: string;
  latency?: string;
  responseFieldPaths?: string[];
}

const NO_CACHE: CacheUsage = { read: 0, write: 0, details: [], store: [] };

export function plan(generation: Generation, cache?: PromptCache): Planned {
  const directives = parseDirectives(generation.texts);
  const seed = seedOf(`${generation.model.id}\n${generation.canonical}`);
  const natural = directives.tokens ?? naturalLength(seed);
  const total = generation.inputTokens ?? generation.texts.reduce((sum, text) => sum + countTokens(text), 0);
  const usage =
    cache && generation.cachePoints?.length && generation.model.cacheMinimum !== undefined
      ? cache.usage(generation.model.id, generation.cachePoints, generation.model.cacheMinimum)
      : NO_CACHE;
  let budget = generation.maxTokens;
  let thinking: Thinking | undefined;
  if (generation.thinkingBudget !== undefined) {
    // Thinking counts against max_tokens and always leaves room for at least one answer token.
    const tokens = Math.max(1, Math.min(generation.thinkingBudget, 16 + (seed % 48), budget - 1));
    const pieces = generatePieces(seed ^ 0x5bd1e995, tokens);
    thinking = { text: pieces.join(''), pieces, signature: digest(`sig\n${seed}`, 64), tokens };
    budget -= tokens;
  }
  const chosen = chooseTool(generation);
  let tool: ToolCall | undefined;
  let text: Reply;
  if (chosen) {
    const input = sampleSchema(chosen.schema, seed);
    const all = jsonPieces(JSON.stringify(input));
    const pieces = all.slice(0, budget);
    tool = {
      idSuffix: digest(`tool\n${seed}`, 22),
      name: chosen.name,
      input,
      pieces,
      complete: pieces.length === all.length,
    };
    text = {
      text: '',
      pieces: [],
      outputTokens: pieces.length,
      stopReason: tool.complete ? 'end_turn' : 'max_tokens',
      stopSequence: null,
    };
  } else if (generation.outputSchema !== undefined) {
    text = jsonReply(JSON.stringify(sampleSchema(generation.outputSchema, seed)), budget);
  } else {
    text = reply(seed, natural, budget, generation.stopSequences);
  }
  const stopReason: StopReason = tool?.complete ? 'tool_use' : text.stopReason;
  return {
    seed,
    reply: text,
    ...(thinking ? { thinking } : {}),
    ...(tool ? { tool } : {}),
    outputTokens: (thinking?.tokens ?? 0) + text.outputTokens,
    stopReason,
    inputTokens: total - usage.read - usage.write,
    cache: usage,
    directives,
    json: generation.outputSchema !== undefined && !tool,
    ...(generation.serviceTier ? { serviceTier: generation.serviceTier } : {}),
    ...(generation.latency ? { latency: generation.latency } : {}),
    ...(generation.responseFieldPaths ? { responseFieldPaths: generation.responseFieldPaths } : {}),
  };
}

/** JSON text as a reply of one-token pieces, cut at `maxTokens` (which leaves broken JSON). */
function jsonReply(json: string, maxTokens: number): Reply {
  const all = jsonPieces(json);
  const pieces = all.slice(0, maxTokens);
  return {
    text: pieces.join(''),
    pieces,
    outputTokens: pieces.length,
    stopReason: pieces.length < all.length ? 'max_tokens' : 'end_turn',
    stopSequence: null,
  };
}

/** Splits text into pieces of one token each (text.ts's rule), whitespace kept with the next. */
export function jsonPieces(json: string): string[] {
  const pieces = json.match(/\s*(?:[A-Za-z]{1,6}|[0-9]|[^\sA-Za-z0-9])/g) ?? [];
  const tail = json.slice(pieces.join('').length);
  if (tail !== '' && pieces.length > 0) pieces[pieces.length - 1] += tail;
  return pieces;
}

/**
 * The `[[emulator:badjson=N]]` break: the JSON answer loses its last character and gains a
 * trailing comma, so a client's parser fails while the token count stays the same.
 */
export function breakJson(planned: Planned): Planned {
  const pieces = [...planned.reply.pieces];
  if (pieces.length === 0) return planned;
  pieces[pieces.length - 1] = ',';
  return { ...planned, reply: { ...planned.reply, pieces, text: pieces.join('') } };
}

function digest(material: string, length: number): string {
  return createHash('sha256')
    .update(material)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, length);
}

/** The canonical form of a request body without the fields that only cut a reply short. */
export function canonicalWithout(body: Record<string, unknown>, omit: readonly string[]): string {
  return canonicalJson(Object.fromEntries(Object.entries(body).filter(([key]) => !omit.includes(key))));
}
