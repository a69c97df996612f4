/**
 * Tool use and structured output through the real JS SDK: forced and auto tool calls in Converse,
 * ConverseStream and the native Anthropic and Nova bodies, tool results answered in text, JSON
 * that validates against the schema (checked with Ajv), the badjson directive and truncation, and
 * the Anthropic API versions the official SDKs send.
 */
import {
  type ContentBlock,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type Tool,
} from '@aws-sdk/client-bedrock-runtime';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { HAIKU, sdkClient } from '../helpers/emulator-clients.js';

const used = useEmulator();
const client = () => sdkClient(used.emulator.url, 'h2');
const ajv = new Ajv({ strict: false });
addFormats.default(ajv);

const WEATHER = {
  type: 'object',
  properties: {
    city: { type: 'string', minLength: 3 },
    unit: { enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
  },
  required: ['city', 'unit'],
  additionalProperties: false,
};
const TOOLS: Tool[] = [
  { toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: WEATHER } } },
  {
    toolSpec: {
      name: 'lookup',
      inputSchema: {
        json: { type: 'object', properties: { q: { type: 'string' } }, additionalProperties: false },
      },
    },
  },
];
const user = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

async function converse(input: Omit<ConverseCommandInput, 'modelId'>, modelId = HAIKU) {
  return client().send(new ConverseCommand({ modelId, ...input }));
}

describe('tool use', () => {
  it('a forced tool (any, tool) gets a toolUse block matching the schema and stop reason tool_use', async () => {
    for (const toolChoice of [{ any: {} }, { tool: { name: 'lookup' } }]) {
      const out = await converse({ messages: user('Hello there'), toolConfig: { tools: TOOLS, toolChoice } });
      expect(out.stopReason).toBe('tool_use');
      const use = out.output?.message?.content?.find((b) => b.toolUse)?.toolUse;
      const name = 'any' in toolChoice ? 'get_weather' : 'lookup';
      expect(use?.name).toBe(name);
      expect(use?.toolUseId).toMatch(/^tooluse_[A-Za-z0-9]{22}$/);
      const schema = TOOLS.find((t) => t.toolSpec?.name === name)?.toolSpec?.inputSchema?.json;
      expect(ajv.validate(schema as object, use?.input), JSON.stringify(ajv.errors)).toBe(true);
    }
  });

  it('auto calls the first tool the last user message names, else answers in text', async () => {
    const named = await converse({
      messages: user('Please use LOOKUP for this'),
      toolConfig: { tools: TOOLS },
    });
    expect(named.output?.message?.content?.[0]?.toolUse?.name).toBe('lookup');
    const plain = await converse({ messages: user('Just chat'), toolConfig: { tools: TOOLS } });
    expect(plain.stopReason).not.toBe('tool_use');
    expect(plain.output?.message?.content?.[0]?.text).toMatch(/\w/);
  });

  it('answers a toolResult turn in text, the same way twice', async () => {
    const first = await converse({ messages: user('call get_weather'), toolConfig: { tools: TOOLS } });
    const call = first.output?.message?.content?.[0] as ContentBlock;
    const id = call.toolUse?.toolUseId as string;
    const messages = [
      ...user('call get_weather'),
      { role: 'assistant' as const, content: [call] },
      {
        role: 'user' as const,
        content: [{ toolResult: { toolUseId: id, content: [{ json: { temp: 21 } }] } }],
      },
    ];
    const answer = await converse({ messages, toolConfig: { tools: TOOLS } });
    const again = await converse({ messages, toolConfig: { tools: TOOLS } });
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.output?.message?.content?.[0]?.text).toMatch(/\w/);
    expect(again.output).toEqual(answer.output);
  });

  it('streams a tool call: contentBlockStart with id and name, input JSON in pieces, contentBlockStop', async () => {
    const input = { messages: user('x'), toolConfig: { tools: TOOLS, toolChoice: { any: {} } } };
    const plain = await converse(input);
    const stream = await client().send(new ConverseStreamCommand({ modelId: HAIKU, ...input }));
    const kinds: string[] = [];
    let json = '';
    let start: unknown;
    let stop = '';
    for await (const event of stream.stream ?? []) {
      if (event.contentBlockStart) start = event.contentBlockStart.start?.toolUse;
      if (event.contentBlockDelta?.delta?.toolUse) json += event.contentBlockDelta.delta.toolUse.input ?? '';
      if (event.messageStop) stop = event.messageStop.stopReason ?? '';
      kinds.push(Object.keys(event)[0] ?? '');
    }
    const use = plain.output?.message?.content?.[0]?.toolUse;
    expect(start).toEqual({ toolUseId: use?.toolUseId, name: 'get_weather' });
    expect(JSON.parse(json)).toEqual(use?.input);
    expect(stop).toBe('tool_use');
    expect(kinds.filter((k) => k === 'contentBlockDelta').length).toBeGreaterThan(3);
    expect(kinds.slice(-2)).toEqual(['messageStop', 'metadata']);
  });

  it('native Anthropic tool_choice and Nova toolConfig give tool_use blocks', async () => {
    const anthropic = {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ name: 'get_weather', input_schema: WEATHER }],
      tool_choice: { type: 'tool', name: 'get_weather' },
    };
    const a = await client().send(
      new InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify(anthropic) }),
    );
    const body = JSON.parse(new TextDecoder().decode(a.body));
    expect(body.stop_reason).toBe('tool_use');
    expect(body.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    expect(body.content[0].id).toMatch(/^toolu_bdrk_01/);
    expect(ajv.validate(WEATHER, body.content[0].input)).toBe(true);
    const stream = await client().send(
      new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: JSON.stringify(anthropic) }),
    );
    let partial = '';
    for await (const event of stream.body ?? []) {
      const chunk = JSON.parse(new TextDecoder().decode(event.chunk?.bytes));
      if (chunk.delta?.type === 'input_json_delta') partial += chunk.delta.partial_json;
    }
    expect(JSON.parse(partial)).toEqual(body.content[0].input);

    const nova = {
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      toolConfig: { tools: TOOLS, toolChoice: { any: {} } },
    };
    const n = await client().send(
      new InvokeModelCommand({ modelId: 'amazon.nova-lite-v1:0', body: JSON.stringify(nova) }),
    );
    const novaBody = JSON.parse(new TextDecoder().decode(n.body));
    expect(novaBody.stopReason).toBe('tool_use');
    expect(novaBody.output.message.content[0].toolUse.name).toBe('get_weather');
  });

  it.each([
    [
      'tool blocks without toolConfig',
      {
        messages: [
          ...user('a'),
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'lookup', input: {} } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'r' }] } }] },
        ],
      },
      HAIKU,
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    ],
    [
      'an empty tool list',
      { messages: user('a'), toolConfig: { tools: [] } },
      HAIKU,
      "1 validation error detected: Value '[]' at 'toolConfig.tools' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ],
    [
      'a bad tool name',
      {
        messages: user('a'),
        toolConfig: { tools: [{ toolSpec: { name: 'no spaces', inputSchema: { json: {} } } }] },
      },
      HAIKU,
      "1 validation error detected: Value 'no spaces' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
    ],
    [
      'any on Llama',
      { messages: user('a'), toolConfig: { tools: TOOLS, toolChoice: { any: {} } } },
      'us.meta.llama3-3-70b-instruct-v1:0',
      "This model doesn't support the toolConfig.toolChoice.any field. Remove toolConfig.toolChoice.any and try again.",
    ],
  ])('refuses %s', async (_, input, modelId, message) => {
    const error = await converse(input as never, modelId).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ValidationException', message });
  });
});

const ORDER = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    placed: { type: 'string', format: 'date-time' },
    due: { type: 'string', format: 'date' },
    email: { type: 'string', format: 'email' },
    status: { const: 'open' },
    lines: {
      type: 'array',
      minItems: 2,
      maxItems: 3,
      items: {
        type: 'object',
        properties: { sku: { type: 'string', maxLength: 4 }, qty: { type: 'integer', minimum: 1 } },
        required: ['sku', 'qty'],
        additionalProperties: false,
      },
    },
    note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['id', 'placed', 'due', 'email', 'status', 'lines', 'note'],
  additionalProperties: false,
};
const outputConfig = (schema: object) => ({
  textFormat: {
    type: 'json_schema' as const,
    structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'order' } },
  },
});

describe('structured output', () => {
  it('answers outputConfig.textFormat with JSON valid against the schema, the same each time', async () => {
    const input = { messages: user('Extract the order'), outputConfig: outputConfig(ORDER) };
    const out = await converse(input);
    const text = out.output?.message?.content?.[0]?.text ?? '';
    expect(out.stopReason).toBe('end_turn');
    expect(ajv.validate(ORDER, JSON.parse(text)), JSON.stringify(ajv.errors)).toBe(true);
    expect((await converse(input)).output?.message?.content?.[0]?.text).toBe(text);
  });

  it('answers the native output_config.format, and refuses it on a model without structured output', async () => {
    const body = (model: string) =>
      client().send(
        new InvokeModelCommand({
          modelId: model,
          body: JSON.stringify({
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: 500,
            messages: [{ role: 'user', content: 'order?' }],
            output_config: { format: { type: 'json_schema', schema: ORDER } },
          }),
        }),
      );
    const out = JSON.parse(new TextDecoder().decode((await body(HAIKU)).body));
    expect(ajv.validate(ORDER, JSON.parse(out.content[0].text))).toBe(true);
    const refused = await body('us.anthropic.claude-sonnet-4-20250514-v1:0').catch((e: Error) => e);
    expect(refused).toMatchObject({
      name: 'ValidationException',
      message: 'output_config.format: Extra inputs are not permitted',
    });
  });

  it('badjson=N breaks the JSON the first N arrivals of that request, then answers valid JSON', async () => {
    const input = { messages: user('[[emulator:badjson=2]] order'), outputConfig: outputConfig(ORDER) };
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) texts.push((await converse(input)).output?.message?.content?.[0]?.text ?? '');
    expect(() => JSON.parse(texts[0] ?? '')).toThrow();
    expect(() => JSON.parse(texts[1] ?? '')).toThrow();
    expect(ajv.validate(ORDER, JSON.parse(texts[2] ?? ''))).toBe(true);
  });

  it('max_tokens cuts the JSON short with stop reason max_tokens', async () => {
    const out = await converse({
      messages: user('o'),
      outputConfig: outputConfig(ORDER),
      inferenceConfig: { maxTokens: 10 },
    });
    expect(out.stopReason).toBe('max_tokens');
    expect(out.usage?.outputTokens).toBe(10);
    expect(() => JSON.parse(out.output?.message?.content?.[0]?.text ?? '')).toThrow();
  });

  it.each([
    [
      'a model without structured output',
      'us.amazon.nova-pro-v1:0',
      ORDER,
      "This model doesn't support the outputConfig.textFormat field. Remove outputConfig.textFormat and try again.",
    ],
    [
      'an object open to extra keys on Claude',
      HAIKU,
      { type: 'object', properties: { a: { type: 'string' } } },
      "For 'object' type, 'additionalProperties' must be explicitly set to false",
    ],
  ])('refuses %s', async (_, modelId, schema, message) => {
    const error = await converse({ messages: user('a'), outputConfig: outputConfig(schema) }, modelId).catch(
      (e: Error) => e,
    );
    expect(error).toMatchObject({ name: 'ValidationException', message });
  });
});

describe('Anthropic API versions', () => {
  it.each(['bedrock-2023-05-31', '2026-10-21'])(
    'accepts %s and anthropic_beta, with the same answer',
    async (version) => {
      const body = {
        anthropic_version: version,
        anthropic_beta: ['context-1m-2025-08-07'],
        max_tokens: 30,
        messages: [{ role: 'user', content: 'hi' }],
      };
      const out = JSON.parse(
        new TextDecoder().decode(
          (await client().send(new InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify(body) }))).body,
        ),
      );
      const other = {
        ...body,
        anthropic_version: version === '2026-10-21' ? 'bedrock-2023-05-31' : '2026-10-21',
      };
      const out2 = JSON.parse(
        new TextDecoder().decode(
          (await client().send(new InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify(other) }))).body,
        ),
      );
      expect(out.content).toEqual(out2.content);
    },
  );

  it('refuses another version with Bedrock schema wording', async () => {
    const body = {
      anthropic_version: '2023-06-01',
      max_tokens: 30,
      messages: [{ role: 'user', content: 'hi' }],
    };
    const error = await client()
      .send(new InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify(body) }))
      .catch((e: Error) => e);
    expect(error).toMatchObject({
      name: 'ValidationException',
      message:
        'Malformed input request: #/anthropic_version: 2023-06-01 is not a valid enum value, please reformat your input and try again.',
    });
  });
});
