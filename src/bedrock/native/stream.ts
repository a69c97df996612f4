/**
 * Accumulates InvokeModelWithResponseStream chunks of every family (each chunk read by the codec
 * whose shape it has) into a CallResult. Bedrock's own `amazon-bedrock-invocationMetrics`, on the
 * last chunk, are the authoritative token counts; the family's own counts are the fallback.
 */
import type { CallResult, Usage } from '../../types.js';
import type { StreamState } from '../families/codec.js';
import { CODECS, isObject, num, stopReason, usageFrom } from '../families/index.js';

type Json = Record<string, unknown>;

export class NativeStreamReader {
  private text = '';
  private readonly usage: Partial<Usage> = {};
  private metrics: Partial<Usage> | undefined;
  private readonly state: StreamState = {
    stop: '',
    setUsage: (values) => {
      for (const [key, value] of Object.entries(values) as Array<[keyof Usage, number | undefined]>) {
        if (value !== undefined) this.usage[key] = value;
      }
    },
  };

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
    let delta = '';
    for (const codec of CODECS) {
      const read = codec.readChunk(chunk, this.state);
      if (read !== undefined) {
        delta = read;
        break;
      }
    }
    this.text += delta;
    return delta;
  }

  result(headers: Record<string, string | undefined> = {}): CallResult {
    const fromMetrics = Object.fromEntries(
      Object.entries(this.metrics ?? {}).filter(([, v]) => v !== undefined),
    );
    return {
      text: this.text,
      stopReason: stopReason(this.state.stop),
      usage: usageFrom({ ...this.usage, ...fromMetrics }, headers),
    };
  }
}
