/** Amazon Titan Text: `inputText` with a User:/Bot: transcript, `textGenerationConfig`. */

import type { PromptRequest } from '../../types.js';
import { compact, type FamilyCodec, isObject, type Json, nonEmpty, noTopK, num, textOf } from './codec.js';

function titanPrompt(request: PromptRequest): string {
  const turns = request.messages.map((m) => `${m.role === 'user' ? 'User' : 'Bot'}: ${textOf(m, 'titan')}`);
  return [...(request.system === undefined ? [] : [request.system, '']), ...turns, 'Bot:'].join('\n');
}

export const titan: FamilyCodec = {
  name: 'titan',
  owns: (id) => id.startsWith('amazon.titan-text') || id.startsWith('amazon.titan-tg1'),
  body: (request) => {
    const inf = request.inference;
    return {
      inputText: titanPrompt(request),
      textGenerationConfig: compact({
        maxTokenCount: inf.maxTokens,
        temperature: inf.temperature,
        topP: inf.topP,
        stopSequences: nonEmpty(inf.stopSequences),
      }),
    };
  },
  read: (b) => {
    if (!Array.isArray(b.results)) return undefined;
    const first = (b.results[0] ?? {}) as Json;
    return {
      text: String(first.outputText ?? ''),
      stop: first.completionReason,
      usage: { inputTokens: num(b.inputTextTokenCount), outputTokens: num(first.tokenCount) },
    };
  },
  readChunk: (c, state) => {
    if (typeof c.outputText !== 'string') return undefined;
    if (c.completionReason) state.stop = c.completionReason;
    state.setUsage({
      inputTokens: num(c.inputTextTokenCount),
      outputTokens: num(c.totalOutputTextTokenCount),
    });
    return c.outputText;
  },
  unsupported: (request, api) => (request.inference.topK === undefined ? undefined : noTopK(request, api)),
  converseTopK: (topK) => ({ top_k: topK }),
  outputLimit: (body) =>
    num(isObject(body.textGenerationConfig) ? body.textGenerationConfig.maxTokenCount : undefined),
};
