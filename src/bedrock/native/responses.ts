/**
 * Reads InvokeModel response bodies of every family into Converse's vocabulary. The family is told
 * by the body's shape, so a batch record's passthrough body is read too whatever model it names.
 * Token counts missing from a body (Mistral's) come from the x-amzn-bedrock-*-token-count headers.
 */
import type { CallResult, Usage } from '../../types.js';

type Json = Record<string, unknown>;

/** Stop reasons of the native APIs, in Converse's vocabulary. */
const STOP_REASONS: Record<string, string> = {
  // Titan
  FINISH: 'end_turn',
  FINISHED: 'end_turn',
  LENGTH: 'max_tokens',
  STOP_CRITERIA_MET: 'stop_sequence',
  CONTENT_FILTERED: 'content_filtered',
  RAG_QUERY_WHEN_RAG_DISABLED: 'end_turn',
  // Llama, Mistral
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  model_length: 'max_tokens',
  // Anthropic (the rest are already Converse's words)
  refusal: 'content_filtered',
  pause_turn: 'end_turn',
};

export function stopReason(native: unknown): string {
  if (typeof native !== 'string' || native === '') return '';
  return STOP_REASONS[native] ?? native;
}

export function parseInvokeBody(body: Json, headers: Record<string, string | undefined>): CallResult {
  const read = readBody(body);
  return { text: read.text, stopReason: stopReason(read.stop), usage: usageFrom(read.usage, headers) };
}

interface Read {
  text: string;
  stop: unknown;
  usage: Partial<Usage>;
}

function readBody(b: Json): Read {
  const usage = (b.usage ?? {}) as Json;
  if (Array.isArray(b.content)) {
    // Anthropic Messages
    const text = (b.content as Json[])
      .filter((c) => c.type === 'text')
      .map((c) => String(c.text ?? ''))
      .join('');
    return {
      text,
      stop: b.stop_reason,
      usage: {
        inputTokens: num(usage.input_tokens),
        outputTokens: num(usage.output_tokens),
        cacheReadTokens: num(usage.cache_read_input_tokens),
        cacheWriteTokens: num(usage.cache_creation_input_tokens),
        cacheWrite1hTokens: hourOf(usage),
      },
    };
  }
  if (isObject(b.output)) {
    // Amazon Nova (Converse-shaped)
    const content = ((b.output as Json).message as Json | undefined)?.content;
    return {
      text: Array.isArray(content)
        ? (content as Json[]).map((c) => (typeof c.text === 'string' ? c.text : '')).join('')
        : '',
      stop: b.stopReason,
      usage: {
        inputTokens: num(usage.inputTokens),
        outputTokens: num(usage.outputTokens),
        cacheReadTokens: num(usage.cacheReadInputTokenCount ?? usage.cacheReadInputTokens),
        cacheWriteTokens: num(usage.cacheWriteInputTokenCount ?? usage.cacheWriteInputTokens),
      },
    };
  }
  if (Array.isArray(b.results)) {
    // Amazon Titan Text
    const first = (b.results[0] ?? {}) as Json;
    return {
      text: String(first.outputText ?? ''),
      stop: first.completionReason,
      usage: { inputTokens: num(b.inputTextTokenCount), outputTokens: num(first.tokenCount) },
    };
  }
  if (typeof b.generation === 'string') {
    // Meta Llama
    return {
      text: b.generation,
      stop: b.stop_reason,
      usage: { inputTokens: num(b.prompt_token_count), outputTokens: num(b.generation_token_count) },
    };
  }
  if (Array.isArray(b.outputs)) {
    // Mistral text completion
    const first = (b.outputs[0] ?? {}) as Json;
    return { text: String(first.text ?? ''), stop: first.stop_reason, usage: {} };
  }
  if (Array.isArray(b.choices)) {
    // Mistral chat completion
    const first = (b.choices[0] ?? {}) as Json;
    const message = (first.message ?? {}) as Json;
    return {
      text: String(message.content ?? first.text ?? ''),
      stop: first.stop_reason ?? first.finish_reason,
      usage: {},
    };
  }
  return { text: JSON.stringify(b), stop: '', usage: {} };
}

/** Anthropic's `usage.cache_creation.ephemeral_1h_input_tokens`: the 1-hour cache writes. */
export function hourOf(usage: Json): number | undefined {
  const creation = usage.cache_creation;
  return isObject(creation) ? num(creation.ephemeral_1h_input_tokens) : undefined;
}

/** Body counts win; the headers Bedrock adds fill the gaps. */
export function usageFrom(body: Partial<Usage>, headers: Record<string, string | undefined>): Usage {
  const header = (name: string) => num(headers[`x-amzn-bedrock-${name}`]);
  const inputTokens = body.inputTokens ?? header('input-token-count') ?? 0;
  const outputTokens = body.outputTokens ?? header('output-token-count') ?? 0;
  const cacheReadTokens = body.cacheReadTokens ?? header('cache-read-input-token-count') ?? 0;
  const cacheWriteTokens = body.cacheWriteTokens ?? header('cache-write-input-token-count') ?? 0;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens,
    cacheReadTokens,
    cacheWriteTokens,
    ...(body.cacheWrite1hTokens ? { cacheWrite1hTokens: body.cacheWrite1hTokens } : {}),
  };
}

export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
