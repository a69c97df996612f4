/** Anthropic Claude on Bedrock: the Messages API body (`anthropic_version: bedrock-2023-05-31`). */
import type { PromptRequest } from '../../types.js';
import { ANSWER_TOOL, TOOL_DESCRIPTION } from '../answer-tool.js';
import { anthropicBlocks } from '../attachment-blocks.js';
import { compact, type FamilyCodec, isObject, type Json, nonEmpty, num, textOf } from './codec.js';

/** A plain string, or one text block with `cache_control` when `--cache-system` caches it. */
function systemOf(request: PromptRequest): unknown {
  if (request.system === undefined || request.cacheSystem === undefined) return request.system;
  const ttl = request.cacheSystem === '1h' ? { ttl: '1h' } : {};
  return [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral', ...ttl } }];
}

/** `usage.cache_creation.ephemeral_1h_input_tokens`: the 1-hour share of the cache writes. */
function hourOf(usage: Json): number | undefined {
  const creation = usage.cache_creation;
  return isObject(creation) ? num(creation.ephemeral_1h_input_tokens) : undefined;
}

export const anthropic: FamilyCodec = {
  name: 'anthropic',
  owns: (id) => id.startsWith('anthropic.'),
  body: (request) => {
    const inf = request.inference;
    return compact({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: inf.maxTokens,
      system: systemOf(request),
      messages: request.messages.map((m) => ({
        role: m.role,
        content: [{ type: 'text', text: textOf(m, 'anthropic') }],
      })),
      temperature: inf.temperature,
      top_p: inf.topP,
      top_k: inf.topK,
      stop_sequences: nonEmpty(inf.stopSequences),
    });
  },
  read: (b) => {
    if (!Array.isArray(b.content)) return undefined;
    const usage = (b.usage ?? {}) as Json;
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
  },
  readChunk: (c, state) => {
    if (typeof c.type !== 'string') return undefined;
    if (c.type === 'message_start' && isObject(c.message) && isObject(c.message.usage)) {
      const u = c.message.usage;
      state.setUsage({
        inputTokens: num(u.input_tokens),
        cacheReadTokens: num(u.cache_read_input_tokens),
        cacheWriteTokens: num(u.cache_creation_input_tokens),
        cacheWrite1hTokens: hourOf(u),
      });
    } else if (c.type === 'content_block_delta' && isObject(c.delta) && typeof c.delta.text === 'string') {
      return c.delta.text;
    } else if (c.type === 'message_delta') {
      if (isObject(c.delta) && c.delta.stop_reason) state.stop = c.delta.stop_reason;
      if (isObject(c.usage)) state.setUsage({ outputTokens: num(c.usage.output_tokens) });
    }
    return '';
  },
  unsupported: () => undefined,
  converseTopK: (topK) => ({ top_k: topK }),
  outputLimit: (body) => num(body.max_tokens),
  forcesTool: true,
  invokeAnswer: (plan) =>
    plan.wire === 'native'
      ? { output_config: { format: { type: 'json_schema', schema: plan.schema } } }
      : {
          tools: [{ name: ANSWER_TOOL, description: TOOL_DESCRIPTION, input_schema: plan.schema }],
          tool_choice: { type: 'tool', name: ANSWER_TOOL },
        },
  invokeAttachments: {
    problem: (attachments) => {
      const s3 = attachments.find((a) => a.s3Uri !== undefined);
      if (s3)
        return `column "${s3.column}": an s3:// attachment cannot go in an Anthropic InvokeModel body; use --api converse`;
      const office = attachments.find(
        (a) => a.kind === 'document' && a.format !== 'pdf' && !TEXT_FORMATS.has(a.format),
      );
      if (office)
        return `column "${office.column}": a .${office.format} document cannot go in an Anthropic InvokeModel body (pdf and text only); use --api converse`;
      return undefined;
    },
    blocks: anthropicBlocks,
  },
};

/** Documents Anthropic's native body takes as plain text (besides PDF). */
const TEXT_FORMATS = new Set(['txt', 'md', 'csv', 'html']);
