/**
 * Settings a model family cannot take through the chosen API. Rather than drop a user's setting
 * silently (or send a field Bedrock rejects on every row), the run refuses it before anything is
 * sent, naming the setting and the model.
 */
import type { PromptRequest } from '../types.js';
import type { Api } from './call.js';
import { familyOf, isMistralChat } from './models.js';

export function unsupportedSetting(request: PromptRequest, api: Api): string | undefined {
  if (request.nativeBody !== undefined) return undefined; // a batch record's body is sent as it is
  const family = familyOf(request.model);
  const { topK, stopSequences } = request.inference;
  const chat = family === 'mistral' && isMistralChat(request.model);
  if (topK !== undefined) {
    const takesTopK =
      api === 'converse'
        ? family === 'anthropic' || family === 'nova' || family === 'mistral'
        : family !== 'titan' && family !== 'llama' && !chat;
    if (!takesTopK)
      return `top_k cannot be sent to "${request.model}" through --api ${api}; remove --top-k (or the top_k column)`;
  }
  if (stopSequences.length > 0 && api === 'invoke' && (family === 'llama' || chat)) {
    return `stop sequences cannot be sent to "${request.model}" through --api invoke; use --api converse, or remove --stop (or the stop_sequences column)`;
  }
  return undefined;
}
