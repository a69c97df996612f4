/**
 * InvokeModel request bodies, one per model family (reference/bedrock-wire.md §5), built from a
 * Converse-shaped request. Only text travels this way; other content needs `--api converse`.
 */
import type { ChatMessage, PromptRequest } from '../../types.js';
import { familyOf, isMistralChat } from '../models.js';

export class UnsupportedRequest extends Error {
  override readonly name = 'UnsupportedRequest';
}

type Body = Record<string, unknown>;

/** The body to send, or a reason it cannot be sent through InvokeModel. */
export function invokeBody(request: PromptRequest): Body {
  if (request.nativeBody !== undefined) return request.nativeBody;
  const { inference: inf } = request;
  const family = familyOf(request.model);
  switch (family) {
    case 'anthropic':
      return compact({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: inf.maxTokens,
        system: anthropicSystem(request),
        messages: request.messages.map((m) => ({
          role: m.role,
          content: [{ type: 'text', text: textOf(m, family) }],
        })),
        temperature: inf.temperature,
        top_p: inf.topP,
        top_k: inf.topK,
        stop_sequences: nonEmpty(inf.stopSequences),
      });
    case 'nova':
      return compact({
        schemaVersion: 'messages-v1',
        system:
          request.system === undefined
            ? undefined
            : [
                { text: request.system },
                ...(request.cacheSystem === undefined ? [] : [{ cachePoint: { type: 'default' } }]),
              ],
        messages: request.messages.map((m) => ({ role: m.role, content: [{ text: textOf(m, family) }] })),
        inferenceConfig: compact({
          max_new_tokens: inf.maxTokens,
          temperature: inf.temperature,
          topP: inf.topP,
          topK: inf.topK,
          stopSequences: nonEmpty(inf.stopSequences),
        }),
      });
    case 'titan':
      return {
        inputText: titanPrompt(request),
        textGenerationConfig: compact({
          maxTokenCount: inf.maxTokens,
          temperature: inf.temperature,
          topP: inf.topP,
          stopSequences: nonEmpty(inf.stopSequences),
        }),
      };
    case 'llama':
      // Llama's body has exactly these keys: no top_k, no stop sequences.
      return compact({
        prompt: llamaPrompt(request),
        max_gen_len: inf.maxTokens,
        temperature: inf.temperature,
        top_p: inf.topP,
      });
    case 'mistral':
      if (isMistralChat(request.model)) {
        const messages: Array<{ role: string; content: string }> = request.messages.map((m) => ({
          role: m.role,
          content: textOf(m, family),
        }));
        if (request.system !== undefined) messages.unshift({ role: 'system', content: request.system });
        return compact({
          messages,
          max_tokens: inf.maxTokens,
          temperature: inf.temperature,
          top_p: inf.topP,
        });
      }
      return compact({
        prompt: mistralPrompt(request),
        max_tokens: inf.maxTokens,
        temperature: inf.temperature,
        top_p: inf.topP,
        top_k: inf.topK,
        stop: nonEmpty(inf.stopSequences),
      });
    default:
      throw new UnsupportedRequest(
        `no InvokeModel body is known for model "${request.model}"; use --api converse, or give the body in a batch record's modelInput`,
      );
  }
}

/** A plain string, or one text block with `cache_control` when the system prompt is cached. */
function anthropicSystem(request: PromptRequest): unknown {
  if (request.system === undefined || request.cacheSystem === undefined) return request.system;
  const ttl = request.cacheSystem === '1h' ? { ttl: '1h' } : {};
  return [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral', ...ttl } }];
}

function textOf(message: ChatMessage, family: string): string {
  return message.content
    .map((block) => {
      if (typeof (block as { text?: unknown }).text === 'string' && Object.keys(block).length === 1)
        return (block as { text: string }).text;
      const kind = Object.keys(block)[0] ?? 'unknown';
      throw new UnsupportedRequest(
        `a "${kind}" content block cannot be sent to ${family} through --api invoke; use --api converse`,
      );
    })
    .join('\n');
}

function titanPrompt(request: PromptRequest): string {
  const turns = request.messages.map((m) => `${m.role === 'user' ? 'User' : 'Bot'}: ${textOf(m, 'titan')}`);
  return [...(request.system === undefined ? [] : [request.system, '']), ...turns, 'Bot:'].join('\n');
}

function llamaPrompt(request: PromptRequest): string {
  const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
  let prompt = '<|begin_of_text|>';
  if (request.system !== undefined) prompt += `${header('system')}${request.system}<|eot_id|>`;
  for (const m of request.messages) prompt += `${header(m.role)}${textOf(m, 'llama')}<|eot_id|>`;
  return `${prompt}${header('assistant')}`;
}

function mistralPrompt(request: PromptRequest): string {
  let prompt = '<s>';
  let system = request.system === undefined ? '' : `${request.system}\n\n`;
  for (const m of request.messages) {
    if (m.role === 'user') {
      prompt += `[INST] ${system}${textOf(m, 'mistral')} [/INST]`;
      system = '';
    } else {
      prompt += `${textOf(m, 'mistral')}</s>`;
    }
  }
  return prompt;
}

function nonEmpty(list: string[]): string[] | undefined {
  return list.length === 0 ? undefined : list;
}

/** Drops undefined members: the native schemas reject unknown or null keys. */
function compact(body: Body): Body {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}
