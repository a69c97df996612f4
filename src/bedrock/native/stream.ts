/**
 * Accumulates InvokeModelWithResponseStream chunks of every family (told apart by shape) into a
 * CallResult. Bedrock's own `amazon-bedrock-invocationMetrics`, on the last chunk, are the
 * authoritative token counts; the family's own counts are the fallback.
 */
import type { CallResult, Usage } from '../../types.js';
import { hourOf, isObject, num, stopReason, usageFrom } from './responses.js';

type Json = Record<string, unknown>;

export class NativeStreamReader {
  private text = '';
  private stop: unknown = '';
  private readonly usage: Partial<Usage> = {};
  private metrics: Partial<Usage> | undefined;

  /** Takes one decoded chunk; returns the text it added. */
  add(chunk: Json): string {
    const metrics = chunk['amazon-bedrock-invocationMetrics'];
    if (isObject(metrics)) {
      this.metrics = {
        inputTokens: num(metrics.inputTokenCount),
        outputTokens: num(metrics.outputTokenCount),
        cacheReadTokens: num(metrics.cacheReadInputTokenCount),
        cacheWriteTokens: num(metrics.cacheWriteInputTokenCount),
      };
    }
    const delta = this.read(chunk);
    this.text += delta;
    return delta;
  }

  result(headers: Record<string, string | undefined> = {}): CallResult {
    const fromMetrics = Object.fromEntries(
      Object.entries(this.metrics ?? {}).filter(([, v]) => v !== undefined),
    );
    return {
      text: this.text,
      stopReason: stopReason(this.stop),
      usage: usageFrom({ ...this.usage, ...fromMetrics }, headers),
    };
  }

  private read(c: Json): string {
    // Anthropic Messages events
    if (typeof c.type === 'string') {
      if (c.type === 'message_start' && isObject(c.message) && isObject(c.message.usage)) {
        const u = c.message.usage;
        this.set({
          inputTokens: num(u.input_tokens),
          cacheReadTokens: num(u.cache_read_input_tokens),
          cacheWriteTokens: num(u.cache_creation_input_tokens),
          cacheWrite1hTokens: hourOf(u),
        });
      } else if (c.type === 'content_block_delta' && isObject(c.delta) && typeof c.delta.text === 'string') {
        return c.delta.text;
      } else if (c.type === 'message_delta') {
        if (isObject(c.delta) && c.delta.stop_reason) this.stop = c.delta.stop_reason;
        if (isObject(c.usage)) this.set({ outputTokens: num(c.usage.output_tokens) });
      }
      return '';
    }
    // Amazon Nova: Converse-style event objects
    if (isObject(c.contentBlockDelta)) {
      const delta = c.contentBlockDelta.delta;
      return isObject(delta) && typeof delta.text === 'string' ? delta.text : '';
    }
    if (isObject(c.messageStop)) this.stop = c.messageStop.stopReason;
    if (isObject(c.metadata) && isObject(c.metadata.usage)) {
      const u = c.metadata.usage;
      this.set({ inputTokens: num(u.inputTokens), outputTokens: num(u.outputTokens) });
    }
    if (
      c.messageStart !== undefined ||
      c.messageStop !== undefined ||
      c.metadata !== undefined ||
      c.contentBlockStop !== undefined
    ) {
      return '';
    }
    // Amazon Titan Text
    if (typeof c.outputText === 'string') {
      if (c.completionReason) this.stop = c.completionReason;
      this.set({ inputTokens: num(c.inputTextTokenCount), outputTokens: num(c.totalOutputTextTokenCount) });
      return c.outputText;
    }
    // Meta Llama
    if (typeof c.generation === 'string') {
      if (c.stop_reason) this.stop = c.stop_reason;
      // generation_token_count counts the tokens generated so far.
      this.set({ inputTokens: num(c.prompt_token_count), outputTokens: num(c.generation_token_count) });
      return c.generation;
    }
    // Mistral text and chat completion
    const first = (
      Array.isArray(c.outputs) ? c.outputs[0] : Array.isArray(c.choices) ? c.choices[0] : undefined
    ) as Json | undefined;
    if (first) {
      if (first.stop_reason) this.stop = first.stop_reason;
      const message = (first.message ?? first.delta) as Json | undefined;
      return String(first.text ?? message?.content ?? '');
    }
    return '';
  }

  /** Keeps counts already seen when a later chunk lacks them. */
  private set(values: Partial<Usage>): void {
    for (const [key, value] of Object.entries(values) as Array<[keyof Usage, number | undefined]>) {
      if (value !== undefined) this.usage[key] = value;
    }
  }
}
