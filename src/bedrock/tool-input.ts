/**
 * The forced answer tool's input, read from every response shape: Converse content (`toolUse`),
 * Anthropic Messages (`tool_use`), Nova's Converse-shaped native body, and the streams of all
 * three, whose input arrives as JSON text in pieces (`contentBlockDelta.delta.toolUse.input`,
 * Anthropic's `input_json_delta.partial_json`) assembled here. Only the first tool block counts.
 */
import type { CallResult } from '../types.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The first tool block's input as JSON text, from a Converse or native content list. */
export function toolInputOf(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  for (const block of content) {
    if (!isObject(block)) continue;
    if (isObject(block.toolUse)) return JSON.stringify(block.toolUse.input ?? {});
    if (block.type === 'tool_use') return JSON.stringify(block.input ?? {});
  }
  return undefined;
}

/** The content list of an InvokeModel response body (Anthropic or Nova). */
export function nativeContent(body: Json): unknown {
  if (Array.isArray(body.content)) return body.content;
  return isObject(body.output) && isObject(body.output.message) ? body.output.message.content : undefined;
}

export function withToolInput(result: CallResult, input: string | undefined): CallResult {
  return input === undefined ? result : { ...result, toolInput: input };
}

/** Assembles a streamed tool input from Converse events or native chunks of either family. */
export class ToolInputCollector {
  private index: number | undefined;
  private text = '';
  private started = false;

  add(event: unknown): void {
    if (!isObject(event)) return;
    // Converse stream events, and Nova's native chunks (the same shape)
    const start = event.contentBlockStart;
    if (isObject(start) && isObject(start.start) && isObject(start.start.toolUse)) {
      this.begin(Number(start.contentBlockIndex ?? 0));
      return;
    }
    const delta = event.contentBlockDelta;
    if (isObject(delta) && isObject(delta.delta) && isObject(delta.delta.toolUse)) {
      if (this.started && Number(delta.contentBlockIndex ?? 0) === this.index)
        this.text += String(delta.delta.toolUse.input ?? '');
      return;
    }
    // Anthropic Messages events
    if (
      event.type === 'content_block_start' &&
      isObject(event.content_block) &&
      event.content_block.type === 'tool_use'
    ) {
      this.begin(Number(event.index ?? 0));
    } else if (
      event.type === 'content_block_delta' &&
      isObject(event.delta) &&
      event.delta.type === 'input_json_delta'
    ) {
      if (this.started && Number(event.index ?? 0) === this.index)
        this.text += String(event.delta.partial_json ?? '');
    }
  }

  private begin(index: number): void {
    if (this.started) return;
    this.started = true;
    this.index = index;
  }

  /** The input's JSON text; an empty input (no deltas) is `{}`, as Bedrock means it. */
  result(): string | undefined {
    if (!this.started) return undefined;
    return this.text === '' ? '{}' : this.text;
  }
}
