/** Amazon Nova: the `messages-v1` body, Converse-shaped responses and stream events. */
import { converseAnswerFields } from '../answer-tool.js';
import { novaBlocks } from '../attachment-blocks.js';
import { compact, type FamilyCodec, isObject, type Json, nonEmpty, num, textOf } from './codec.js';

export const nova: FamilyCodec = {
  name: 'nova',
  owns: (id) => id.startsWith('amazon.nova'),
  body: (request) => {
    const inf = request.inference;
    return compact({
      schemaVersion: 'messages-v1',
      // With --cache-system, a cache point after the system text (Nova caches for 5 minutes only).
      system:
        request.system === undefined
          ? undefined
          : [
              { text: request.system },
              ...(request.cacheSystem === undefined ? [] : [{ cachePoint: { type: 'default' } }]),
            ],
      messages: request.messages.map((m) => ({ role: m.role, content: [{ text: textOf(m, 'nova') }] })),
      inferenceConfig: compact({
        max_new_tokens: inf.maxTokens,
        temperature: inf.temperature,
        topP: inf.topP,
        topK: inf.topK,
        stopSequences: nonEmpty(inf.stopSequences),
      }),
    });
  },
  read: (b) => {
    if (!isObject(b.output)) return undefined;
    const usage = (b.usage ?? {}) as Json;
    const content = (b.output.message as Json | undefined)?.content;
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
  },
  readChunk: (c, state) => {
    if (isObject(c.contentBlockDelta)) {
      const delta = c.contentBlockDelta.delta;
      return isObject(delta) && typeof delta.text === 'string' ? delta.text : '';
    }
    if (isObject(c.messageStop)) state.stop = c.messageStop.stopReason;
    if (isObject(c.metadata) && isObject(c.metadata.usage)) {
      const u = c.metadata.usage;
      state.setUsage({ inputTokens: num(u.inputTokens), outputTokens: num(u.outputTokens) });
    }
    const event = c.messageStart ?? c.messageStop ?? c.metadata ?? c.contentBlockStop ?? c.contentBlockStart;
    return event === undefined ? undefined : '';
  },
  unsupported: () => undefined,
  converseTopK: (topK) => ({ inferenceConfig: { topK } }),
  outputLimit: (body) => {
    const config = body.inferenceConfig as Json | undefined;
    // A Converse-shaped body (a Converse batch record) names it maxTokens.
    return num(config?.max_new_tokens ?? config?.maxTokens);
  },
  forcesTool: true,
  // Nova's native body takes Converse's toolConfig: its answer is always the forced tool.
  invokeAnswer: (plan) => converseAnswerFields({ ...plan, wire: 'tool' }),
  invokeAttachments: { problem: () => undefined, blocks: novaBlocks },
  // Nova caches for 5 minutes only and is sent no ttl.
  cachePoint: (ttl) => (ttl === '1h' ? { type: 'default', ttl } : { type: 'default' }),
};
