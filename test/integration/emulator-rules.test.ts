/**
 * The catalogue, prompt caching, service tiers and Bedrock's validation rules through the real JS
 * SDK: end-of-life and profile-only models, region prefixes, cache reads and writes on the
 * emulator's clock, tier validation and echoes (body, stream metadata, InvokeModel header), flex
 * throttled first by counting, and each validation rule with its wording.
 */
import {
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  InvokeModelCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { HAIKU, sdkClient } from '../helpers/emulator-clients.js';

const used = useEmulator();
const client = () => sdkClient(used.emulator.url, 'h2');
const user = (text: string) => [{ role: 'user' as const, content: [{ text }] }];
const converse = (input: Omit<ConverseCommandInput, 'modelId'>, modelId = HAIKU) =>
  client().send(new ConverseCommand({ modelId, ...input }));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: Error) => ({ name: e.name, message: e.message }),
  );

describe('catalogue', () => {
  it('answers end-of-life models as Bedrock does, profiles included', async () => {
    for (const id of [
      'anthropic.claude-3-haiku-20240307-v1:0',
      'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic.claude-3-opus-20240229-v1:0',
    ]) {
      expect(await failure(converse({ messages: user('hi') }, id))).toEqual({
        name: 'ResourceNotFoundException',
        message:
          'This model version has reached the end of its life. Please refer to the AWS documentation for more details.',
      });
    }
  });

  it("refuses the base id of a profile-only model with Bedrock's message", async () => {
    expect(
      await failure(converse({ messages: user('hi') }, 'anthropic.claude-sonnet-4-5-20250929-v1:0')),
    ).toEqual({
      name: 'ValidationException',
      message:
        "Invocation of model ID anthropic.claude-sonnet-4-5-20250929-v1:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
    });
  });

  it('takes only the region prefixes a model has', async () => {
    expect(await failure(converse({ messages: user('hi') }, 'au.amazon.nova-micro-v1:0'))).toEqual({
      name: 'ValidationException',
      message: 'The provided model identifier is invalid.',
    });
    for (const id of [
      'global.anthropic.claude-sonnet-4-6',
      'jp.anthropic.claude-opus-4-6-v1',
      'global.amazon.nova-2-lite-v1:0',
      'mistral.mistral-large-3-675b-instruct',
      'mistral.ministral-3-8b-instruct',
      'amazon.nova-micro-v1:0',
    ])
      expect((await converse({ messages: user('hi') }, id)).stopReason, id).toMatch(/end_turn|max_tokens/);
  });

  it('counts image and document tokens', async () => {
    // A 750x100 PNG header: 100 tokens.
    const png = Buffer.alloc(24);
    png.writeUInt32BE(0x89504e47, 0);
    png.writeUInt32BE(750, 16);
    png.writeUInt32BE(100, 20);
    const base = (await converse({ messages: user('describe') })).usage?.inputTokens ?? 0;
    const withImage = await converse({
      messages: [
        {
          role: 'user',
          content: [{ text: 'describe' }, { image: { format: 'png', source: { bytes: png } } }],
        },
      ],
    });
    expect(withImage.usage?.inputTokens).toBe(base + 100);
    const doc = await converse({
      messages: [
        {
          role: 'user',
          content: [
            { text: 'describe' },
            { document: { name: 'n', format: 'txt', source: { bytes: Buffer.from('one two three') } } },
          ],
        },
      ],
    });
    expect(doc.usage?.inputTokens).toBe(base + 3);
    expect(
      await failure(
        converse(
          {
            messages: [
              {
                role: 'user',
                content: [{ text: 'd' }, { image: { format: 'png', source: { bytes: png } } }],
              },
            ],
          },
          'amazon.nova-micro-v1:0',
        ),
      ),
    ).toEqual({
      name: 'ValidationException',
      message:
        "This model doesn't support the image content block that you provided. Try again with a supported content block.",
    });
  });
});

const LONG = 'alpha '.repeat(5000); // 5,000 tokens: above Haiku 4.5's 4,096 minimum

describe('prompt caching', () => {
  const cached = (ttl?: '5m' | '1h') => ({
    system: [{ text: LONG }, { cachePoint: { type: 'default' as const, ...(ttl ? { ttl } : {}) } }],
    messages: user('question'),
  });

  it('writes a prefix, reads it back within its TTL, writes it again after the TTL', async () => {
    const first = await converse(cached());
    expect(first.usage).toMatchObject({
      cacheWriteInputTokens: 5000,
      cacheReadInputTokens: 0,
      inputTokens: 2,
      cacheDetails: [{ ttl: '5m', inputTokens: 5000 }],
    });
    const second = await converse(cached());
    expect(second.usage).toMatchObject({
      cacheWriteInputTokens: 0,
      cacheReadInputTokens: 5000,
      inputTokens: 2,
    });
    used.emulator.advanceClock(301_000);
    expect((await converse(cached())).usage).toMatchObject({
      cacheWriteInputTokens: 5000,
      cacheReadInputTokens: 0,
    });
    await fetch(`${used.emulator.url}/__emulator/clock`, { method: 'POST', body: '{"advanceMs":301000}' });
    const oneHour = await converse(cached('1h'));
    expect(oneHour.usage?.cacheDetails).toEqual([{ ttl: '1h', inputTokens: 5000 }]);
  });

  it('ignores a point below the model minimum, and refuses more than four', async () => {
    const short = await converse({
      system: [{ text: 'short' }, { cachePoint: { type: 'default' } }],
      messages: user('q'),
    });
    expect(short.usage?.cacheWriteInputTokens ?? 0).toBe(0);
    const five = Array.from({ length: 5 }, (_, i) => [
      { text: `s${i}` },
      { cachePoint: { type: 'default' as const } },
    ]).flat();
    expect(await failure(converse({ system: five, messages: user('q') }))).toEqual({
      name: 'ValidationException',
      message: 'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    });
  });

  it('honours native cache_control with Anthropic usage fields', async () => {
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 10,
      system: [{ type: 'text', text: LONG, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'q' }],
    });
    const read = async () =>
      JSON.parse(
        new TextDecoder().decode(
          (await client().send(new InvokeModelCommand({ modelId: HAIKU, body }))).body,
        ),
      ).usage;
    expect(await read()).toMatchObject({
      cache_creation_input_tokens: 5000,
      cache_read_input_tokens: 0,
      input_tokens: 1,
    });
    expect(await read()).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 5000,
      input_tokens: 1,
    });
  });
});

describe('service tiers and performance config', () => {
  const NOVA_PRO = 'us.amazon.nova-pro-v1:0';

  it('echoes a supported tier in the body, the stream metadata and the InvokeModel header', async () => {
    const out = await converse(
      { messages: user('hi'), serviceTier: { type: 'flex' }, performanceConfig: { latency: 'optimized' } },
      NOVA_PRO,
    );
    expect(out.serviceTier).toEqual({ type: 'flex' });
    expect(out.performanceConfig).toEqual({ latency: 'optimized' });
    const stream = await client().send(
      new ConverseStreamCommand({
        modelId: NOVA_PRO,
        messages: user('hi'),
        serviceTier: { type: 'priority' },
      }),
    );
    let tier: unknown;
    for await (const event of stream.stream ?? []) if (event.metadata) tier = event.metadata.serviceTier;
    expect(tier).toEqual({ type: 'priority' });
    const invoked = await client().send(
      new InvokeModelCommand({
        modelId: NOVA_PRO,
        serviceTier: 'flex',
        body: JSON.stringify({ messages: user('hi') }),
      }),
    );
    expect(invoked.serviceTier).toBe('flex');
  });

  it('refuses a tier the model does not offer; latency optimized falls back to standard', async () => {
    expect(await failure(converse({ messages: user('hi'), serviceTier: { type: 'flex' } }))).toEqual({
      name: 'ValidationException',
      message: 'The provided service tier is not supported for this model.',
    });
    expect(
      (await converse({ messages: user('hi'), performanceConfig: { latency: 'optimized' } }))
        .performanceConfig,
    ).toEqual({ latency: 'standard' });
  });

  it('throttles flex first when the quota is tight (counted by the stats)', async () => {
    const { startEmulator } = await import('../../src/emulator/server.js');
    const tight = await startEmulator({ port: 0, rpm: 24 }); // a bucket of 4 requests
    try {
      const c = sdkClient(tight.url, 'h2');
      const send = (type: 'flex' | 'default') =>
        c.send(new ConverseCommand({ modelId: NOVA_PRO, messages: user('hi'), serviceTier: { type } })).then(
          () => 'ok',
          (e: Error) => e.name,
        );
      // Flex must leave a quarter of the bucket (1 request) behind: three pass, the fourth does not.
      for (let i = 0; i < 3; i++) expect(await send('flex')).toBe('ok');
      expect(await send('flex')).toBe('ThrottlingException');
      expect(await send('default')).toBe('ok');
      expect(tight.stats().throttled).toBe(1);
    } finally {
      await tight.close();
    }
  });
});

describe('validation', () => {
  it.each([
    [
      'temperature with top_p on Claude 4.5',
      { messages: user('a'), inferenceConfig: { temperature: 0.5, topP: 0.9 } },
      HAIKU,
      '`temperature` and `top_p` cannot both be specified for this model. Please use only one.',
    ],
    [
      'an empty system text',
      { messages: user('a'), system: [{ text: ' ' }] },
      HAIKU,
      'The text field in the SystemContentBlock object at system.0 is blank. Add text to the text field, and try again.',
    ],
    [
      'more stop sequences than the model takes',
      { messages: user('a'), inferenceConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e'] } },
      'amazon.nova-micro-v1:0',
      'The model supports at most 4 stop sequences; the request has 5.',
    ],
    [
      'a prompt beyond the context window',
      { messages: user('word '.repeat(9000)) },
      'meta.llama3-8b-instruct-v1:0',
      'Input is too long for requested model.',
    ],
    [
      'an unknown additionalModelRequestFields key',
      { messages: user('a'), additionalModelRequestFields: { top_k: 5 } },
      'meta.llama3-8b-instruct-v1:0',
      'Malformed input request: #: extraneous key [top_k] is not permitted, please reformat your input and try again.',
    ],
    [
      'a document on a model without documents',
      {
        messages: [
          {
            role: 'user',
            content: [{ document: { name: 'd', format: 'txt', source: { bytes: Buffer.from('x') } } }],
          },
        ],
      },
      'mistral.mistral-large-2407-v1:0',
      "This model doesn't support the document content block that you provided. Try again with a supported content block.",
    ],
    [
      'a thinking budget not below max_tokens',
      {
        messages: user('a'),
        inferenceConfig: { maxTokens: 2000 },
        additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 2000 } },
      },
      HAIKU,
      '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
    ],
    [
      'a temperature change with thinking',
      {
        messages: user('a'),
        inferenceConfig: { maxTokens: 4000, temperature: 0.2 },
        additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      },
      HAIKU,
      '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility',
    ],
  ])('refuses %s', async (_, input, modelId, message) => {
    expect(await failure(converse(input as never, modelId))).toEqual({
      name: 'ValidationException',
      message,
    });
  });
});

describe('extended thinking', () => {
  it('puts a reasoningContent block before the text, in Converse and its stream', async () => {
    const input = {
      messages: user('think'),
      inferenceConfig: { maxTokens: 3000 },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
    };
    const out = await converse(input);
    const [first, second] = out.output?.message?.content ?? [];
    expect(first?.reasoningContent?.reasoningText?.text).toMatch(/\w/);
    expect(first?.reasoningContent?.reasoningText?.signature).toMatch(/^[A-Za-z0-9]{20,}$/);
    expect(second?.text).toMatch(/\w/);
    const stream = await client().send(new ConverseStreamCommand({ modelId: HAIKU, ...input }));
    let reasoning = '';
    let text = '';
    for await (const event of stream.stream ?? []) {
      const delta = event.contentBlockDelta;
      if (delta?.delta?.reasoningContent?.text) reasoning += delta.delta.reasoningContent.text;
      if (delta?.delta?.text) {
        expect(delta.contentBlockIndex).toBe(1);
        text += delta.delta.text;
      }
    }
    expect(reasoning).toBe(first?.reasoningContent?.reasoningText?.text);
    expect(text).toBe(second?.text);
  });
});
