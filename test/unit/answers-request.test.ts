import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converseAnswerFields, shapeInvokeBody } from '../../src/bedrock/answer-wire.js';
import { converseInput } from '../../src/bedrock/converse.js';
import { anthropic } from '../../src/bedrock/families/anthropic.js';
import { invokeBody } from '../../src/bedrock/families/index.js';
import { ToolInputCollector, toolInputOf } from '../../src/bedrock/tool-input.js';
import { loadSchema } from '../../src/job/json-schema.js';
import { chooseWire, outputLimit } from '../../src/plan/answer-wire-choice.js';
import type { AnswerPlan, PromptRequest } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-wire-'));
function schemaFile(schema: object) {
  const path = join(dir, `${Math.random()}.json`);
  writeFileSync(path, JSON.stringify(schema));
  return loadSchema(path, 'triage.json');
}
const strict = schemaFile({
  type: 'object',
  additionalProperties: false,
  properties: { a: { type: 'string' } },
});
const loose = schemaFile({ type: 'object', properties: { a: { type: 'string', maxLength: 3 } } });

const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const NOVA = 'us.amazon.nova-lite-v1:0';
const LLAMA = 'meta.llama3-1-8b-instruct-v1:0';

describe('which wire a model gets', () => {
  it.each([
    [HAIKU, 'converse', 'auto', strict, { wire: 'native' }],
    [HAIKU, 'converse', 'tool', strict, { wire: 'tool' }],
    [HAIKU, 'invoke', 'auto', strict, { wire: 'native' }],
    [NOVA, 'converse', 'auto', strict, { wire: 'tool' }],
    [NOVA, 'invoke', 'auto', strict, { wire: 'tool' }],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'converse', 'auto', strict, { wire: 'tool' }],
  ] as const)('%s over %s, mode %s', (model, api, mode, schema, expected) => {
    expect(chooseWire(model, api, mode, schema)).toEqual(expected);
  });

  it('falls back to the tool in auto mode when the schema uses what native output refuses', () => {
    const decision = chooseWire(HAIKU, 'converse', 'auto', loose);
    expect(decision).toMatchObject({ wire: 'tool' });
    expect('warning' in decision && decision.warning).toMatch(/additionalProperties/);
  });

  it.each([
    [
      HAIKU,
      'converse',
      'native',
      loose,
      /--json-mode native: triage\.json uses what structured output refuses \(\/: an object needs/,
    ],
    [NOVA, 'converse', 'native', strict, /"us\.amazon\.nova-lite-v1:0" has no native structured output/],
    [LLAMA, 'converse', 'auto', strict, /neither native structured output nor a forced tool choice/],
    [LLAMA, 'invoke', 'tool', strict, /nor a InvokeModel body.*or --api converse/],
  ] as const)('refuses %s over %s in mode %s up front', (model, api, mode, schema, message) => {
    const decision = chooseWire(model, api, mode, schema);
    expect('problem' in decision && decision.problem).toMatch(message);
  });

  it('knows output limits for doubling max_tokens', () => {
    expect(outputLimit(HAIKU)).toBe(64_000);
    expect(outputLimit(NOVA)).toBe(10_000);
    expect(outputLimit('some.new-model')).toBe(8_192);
  });
});

const plan = (wire: 'native' | 'tool'): AnswerPlan => ({
  wire,
  label: strict.label,
  schema: strict.schema,
  schemaText: strict.text,
  properties: strict.properties,
  tokens: 5,
  retries: 2,
  maxTokensLimit: 64_000,
});
const request = (model: string, wire: 'native' | 'tool'): PromptRequest => ({
  index: 0,
  line: 2,
  id: '1',
  row: {},
  model,
  messages: [{ role: 'user', content: [{ text: 'Triage: refund please' }] }],
  inference: { maxTokens: 300, stopSequences: [] },
  answer: plan(wire),
});

describe('the schema on the wire', () => {
  it('Converse native: outputConfig.textFormat with the schema as a string', () => {
    expect(converseAnswerFields(plan('native'))).toEqual({
      outputConfig: {
        textFormat: {
          type: 'json_schema',
          structure: { jsonSchema: { schema: strict.text, name: 'answer' } },
        },
      },
    });
  });

  it('Converse tool: one tool whose inputSchema.json is the schema, forced by toolChoice.tool', () => {
    const input = converseInput(request(NOVA, 'tool'));
    expect(input.toolConfig).toEqual({
      tools: [
        {
          toolSpec: { name: 'answer', description: expect.any(String), inputSchema: { json: strict.schema } },
        },
      ],
      toolChoice: { tool: { name: 'answer' } },
    });
    expect(input.outputConfig).toBeUndefined();
  });

  it('InvokeModel Anthropic: output_config.format, or tools + tool_choice', () => {
    expect(anthropic.invokeAnswer?.(plan('native'))).toEqual({
      output_config: { format: { type: 'json_schema', schema: strict.schema } },
    });
    const body = shapeInvokeBody(invokeBody(request(HAIKU, 'tool')), request(HAIKU, 'tool'));
    expect(body.tools).toEqual([
      { name: 'answer', description: expect.any(String), input_schema: strict.schema },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
    expect(body.anthropic_version).toBe('bedrock-2023-05-31');
  });

  it("InvokeModel Nova: Nova's toolConfig", () => {
    const body = shapeInvokeBody(invokeBody(request(NOVA, 'tool')), request(NOVA, 'tool'));
    expect(body.toolConfig).toMatchObject({ toolChoice: { tool: { name: 'answer' } } });
    expect(body.schemaVersion).toBe('messages-v1');
  });

  it('leaves a batch record body alone', () => {
    const r = { ...request(HAIKU, 'native'), nativeBody: { x: 1 } };
    expect(shapeInvokeBody({ x: 1 }, r)).toEqual({ x: 1 });
  });

  it('puts loaded attachments before the prompt of the last user turn', () => {
    const r: PromptRequest = {
      ...request(HAIKU, 'native'),
      attachmentBlocks: [{ image: { format: 'png', source: { bytes: new Uint8Array([1, 2, 3]) } } }],
    };
    const input = converseInput(r);
    expect(input.messages?.[0]?.content).toEqual([
      { image: { format: 'png', source: { bytes: new Uint8Array([1, 2, 3]) } } },
      { text: 'Triage: refund please' },
    ]);
    const body = shapeInvokeBody(invokeBody(r), r) as { messages: Array<{ content: unknown[] }> };
    expect(body.messages[0]?.content[0]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'AQID' },
    });
  });
});

describe('the answer tool input in responses', () => {
  it('reads Converse, Anthropic and Nova content', () => {
    expect(
      toolInputOf([{ text: 'hm' }, { toolUse: { toolUseId: 't', name: 'answer', input: { a: 'x' } } }]),
    ).toBe('{"a":"x"}');
    expect(toolInputOf([{ type: 'tool_use', id: 't', name: 'answer', input: { a: 'y' } }])).toBe('{"a":"y"}');
    expect(toolInputOf([{ text: 'no tool' }])).toBeUndefined();
  });

  it('assembles ConverseStream toolUse deltas of the first tool block only', () => {
    const c = new ToolInputCollector();
    for (const event of [
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'thinking' } } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't', name: 'answer' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '"x"}' } } } },
      { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'u', name: 'other' } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '{"b":1}' } } } },
    ])
      c.add(event);
    expect(c.result()).toBe('{"a":"x"}');
  });

  it('assembles Anthropic input_json_delta pieces', () => {
    const c = new ToolInputCollector();
    c.add({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 't', name: 'answer', input: {} },
    });
    c.add({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '{"a"' },
    });
    c.add({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: ':"z"}' },
    });
    expect(c.result()).toBe('{"a":"z"}');
    expect(new ToolInputCollector().result()).toBeUndefined();
  });
});
