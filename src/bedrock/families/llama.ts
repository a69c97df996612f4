/** Meta Llama: a `prompt` in Llama 3's chat template; the body has no top_k and no stop sequences. */
import type { PromptRequest } from '../../types.js';
import { compact, type FamilyCodec, noStopSequences, noTopK, num, textOf } from './codec.js';

function llamaPrompt(request: PromptRequest): string {
  const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
  let prompt = '<|begin_of_text|>';
  if (request.system !== undefined) prompt += `${header('system')}${request.system}<|eot_id|>`;
  for (const m of request.messages) prompt += `${header(m.role)}${textOf(m, 'llama')}<|eot_id|>`;
  return `${prompt}${header('assistant')}`;
}

export const llama: FamilyCodec = {
  name: 'llama',
  owns: (id) => id.startsWith('meta.llama'),
  body: (request) =>
    compact({
      prompt: llamaPrompt(request),
      max_gen_len: request.inference.maxTokens,
      temperature: request.inference.temperature,
      top_p: request.inference.topP,
    }),
  read: (b) =>
    typeof b.generation === 'string'
      ? {
          text: b.generation,
          stop: b.stop_reason,
          usage: { inputTokens: num(b.prompt_token_count), outputTokens: num(b.generation_token_count) },
        }
      : undefined,
  readChunk: (c, state) => {
    if (typeof c.generation !== 'string') return undefined;
    if (c.stop_reason) state.stop = c.stop_reason;
    // generation_token_count counts the tokens generated so far.
    state.setUsage({ inputTokens: num(c.prompt_token_count), outputTokens: num(c.generation_token_count) });
    return c.generation;
  },
  unsupported: (request, api) => {
    if (request.inference.topK !== undefined) return noTopK(request, api);
    if (api === 'invoke' && request.inference.stopSequences.length > 0) return noStopSequences(request);
    return undefined;
  },
  converseTopK: (topK) => ({ top_k: topK }),
  outputLimit: (body) => num(body.max_gen_len),
};
