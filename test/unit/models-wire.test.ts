/**
 * The cost levers on the wire, as the client builds and reads them: Converse `serviceTier` and a
 * `cachePoint` after the system prompt, Anthropic's `cache_control`, Nova's native `cachePoint`,
 * and the served tier and 1-hour cache writes read back from Converse output and native usage.
 */
import { describe, expect, it } from 'vitest';
import { converseInput, converseResult } from '../../src/bedrock/converse.js';
import { invokeBody, parseInvokeBody } from '../../src/bedrock/families/index.js';
import type { PromptRequest } from '../../src/types.js';

function request(model: string, more: Partial<PromptRequest> = {}): PromptRequest {
  return {
    index: 0,
    line: 2,
    id: '1',
    row: {},
    model,
    system: 'You are terse.',
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
    inference: { maxTokens: 100, stopSequences: [] },
    ...more,
  };
}

const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

describe('Converse request', () => {
  it('sends the tier and a cache point with its TTL after the system prompt', () => {
    const input = converseInput(request(HAIKU, { serviceTier: 'priority', cacheSystem: '1h' }));
    expect(input.serviceTier).toEqual({ type: 'priority' });
    expect(input.system).toEqual([
      { text: 'You are terse.' },
      { cachePoint: { type: 'default', ttl: '1h' } },
    ]);
  });

  it('sends Nova a cache point without a TTL (it caches for 5 minutes only)', () => {
    const input = converseInput(request('amazon.nova-pro-v1:0', { cacheSystem: '5m' }));
    expect(input.system).toEqual([{ text: 'You are terse.' }, { cachePoint: { type: 'default' } }]);
  });

  it('sends neither when not asked', () => {
    const input = converseInput(request(HAIKU));
    expect(input.serviceTier).toBeUndefined();
    expect(input.system).toEqual([{ text: 'You are terse.' }]);
  });
});

describe('native bodies', () => {
  it('gives Anthropic a system block with cache_control, with the TTL only for 1h', () => {
    expect(invokeBody(request(HAIKU, { cacheSystem: '1h' })).system).toEqual([
      { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    expect(invokeBody(request(HAIKU, { cacheSystem: '5m' })).system).toEqual([
      { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
    ]);
    expect(invokeBody(request(HAIKU)).system).toBe('You are terse.');
  });

  it('gives Nova a cachePoint block after the system text', () => {
    expect(invokeBody(request('amazon.nova-lite-v1:0', { cacheSystem: '5m' })).system).toEqual([
      { text: 'You are terse.' },
      { cachePoint: { type: 'default' } },
    ]);
  });
});

describe('reading back', () => {
  it('takes the served tier and the 1-hour writes from Converse output', () => {
    const result = converseResult({
      $metadata: {},
      output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
      stopReason: 'end_turn',
      usage: {
        inputTokens: 5,
        outputTokens: 1,
        totalTokens: 5006,
        cacheWriteInputTokens: 5000,
        cacheReadInputTokens: 0,
        cacheDetails: [
          { ttl: '1h', inputTokens: 3000 },
          { ttl: '5m', inputTokens: 2000 },
        ],
      },
      serviceTier: { type: 'flex' },
      metrics: { latencyMs: 1 },
    });
    expect(result.serviceTier).toBe('flex');
    expect(result.usage).toMatchObject({ cacheWriteTokens: 5000, cacheWrite1hTokens: 3000 });
  });

  it("takes the 1-hour writes from Anthropic's cache_creation", () => {
    const result = parseInvokeBody(
      {
        content: [{ type: 'text', text: 'ok' }],
        stop_reason: 'end_turn',
        usage: {
          input_tokens: 5,
          output_tokens: 1,
          cache_creation_input_tokens: 4200,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 4200 },
        },
      },
      {},
    );
    expect(result.usage).toMatchObject({ cacheWriteTokens: 4200, cacheWrite1hTokens: 4200 });
  });
});
