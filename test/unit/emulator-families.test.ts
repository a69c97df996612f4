import { describe, expect, it } from 'vitest';
import { plan } from '../../src/emulator/behaviour/generation.js';
import { type ModelInfo, resolveModel } from '../../src/emulator/catalogue/catalogue.js';
import { familyOf } from '../../src/emulator/runtime/families/index.js';

function model(id: string): ModelInfo {
  const found = resolveModel(id);
  if (!found) throw new Error(id);
  return found;
}

// biome-ignore lint/suspicious/noExplicitAny: native bodies are read by path, family by family
type Native = any;

const CLAUDE = model('anthropic.claude-3-haiku-20240307-v1:0');
const NOVA = model('amazon.nova-lite-v1:0');
const TITAN = model('amazon.titan-text-express-v1');
const LLAMA = model('meta.llama3-8b-instruct-v1:0');
const MISTRAL = model('mistral.mistral-7b-instruct-v0:2');
const MISTRAL_CHAT = model('mistral.mistral-large-2407-v1:0');

const anthropic = (extra: Record<string, unknown> = {}) => ({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 50,
  messages: [{ role: 'user', content: 'Hello there' }],
  ...extra,
});
const malformed = (what: string) =>
  `Malformed input request: ${what}, please reformat your input and try again.`;

describe('InvokeModel native validation', () => {
  it.each<[string, ModelInfo, unknown, string]>([
    [
      'a body that is not an object',
      CLAUDE,
      [1],
      malformed('#: expected type: JSONObject, found: JSONArray'),
    ],
    [
      'no max_tokens',
      CLAUDE,
      { anthropic_version: 'bedrock-2023-05-31', messages: [] },
      malformed('#: required key [max_tokens] not found'),
    ],
    [
      'no anthropic_version',
      CLAUDE,
      { max_tokens: 5, messages: [] },
      malformed('#: required key [anthropic_version] not found'),
    ],
    [
      'a model key',
      CLAUDE,
      anthropic({ model: 'claude' }),
      malformed('#: extraneous key [model] is not permitted'),
    ],
    [
      'three violations',
      CLAUDE,
      { anthropic_version: 'bedrock-2023-05-31', stream: true },
      malformed('3 schema violations found'),
    ],
    [
      'another version',
      CLAUDE,
      anthropic({ anthropic_version: '2023-06-01' }),
      malformed('#/anthropic_version: 2023-06-01 is not a valid enum value'),
    ],
    [
      'max_tokens 0',
      CLAUDE,
      anthropic({ max_tokens: 0 }),
      malformed('#/max_tokens: 0 is not greater or equal to 1'),
    ],
    [
      'max_tokens as text',
      CLAUDE,
      anthropic({ max_tokens: '5' }),
      malformed('#/max_tokens: expected type: Integer, found: String'),
    ],
    [
      'a system role',
      CLAUDE,
      anthropic({ messages: [{ role: 'system', content: 'x' }] }),
      malformed('#/messages/0/role: system is not a valid enum value'),
    ],
    ['no messages', CLAUDE, anthropic({ messages: [] }), 'messages: at least one message is required'],
    [
      'an assistant first',
      CLAUDE,
      anthropic({ messages: [{ role: 'assistant', content: 'x' }] }),
      'messages: first message must use the "user" role',
    ],
    [
      'two user turns',
      CLAUDE,
      anthropic({
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      }),
      'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    ],
    [
      'an empty user turn',
      CLAUDE,
      anthropic({ messages: [{ role: 'user', content: [] }] }),
      'messages.0: all messages must have non-empty content except for the optional final assistant message',
    ],
    [
      'max_tokens over the model limit',
      CLAUDE,
      anthropic({ max_tokens: 5000 }),
      'max_tokens: 5000 > 4096, which is the maximum allowed number of output tokens for claude-3-haiku-20240307',
    ],
    [
      'Nova with a top-level max_tokens',
      NOVA,
      { messages: [{ role: 'user', content: [{ text: 'x' }] }], max_tokens: 5 },
      malformed('#: extraneous key [max_tokens] is not permitted'),
    ],
    [
      'Nova without messages',
      NOVA,
      { inferenceConfig: { max_new_tokens: 5 } },
      malformed('#: required key [messages] not found'),
    ],
    [
      'Nova starting with the assistant',
      NOVA,
      { messages: [{ role: 'assistant', content: [{ text: 'x' }] }] },
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    ],
    [
      'Titan without inputText',
      TITAN,
      { textGenerationConfig: {} },
      malformed('#: required key [inputText] not found'),
    ],
    [
      'Titan with a wrong config key',
      TITAN,
      { inputText: 'x', textGenerationConfig: { maxTokens: 5 } },
      malformed('#/textGenerationConfig: extraneous key [maxTokens] is not permitted'),
    ],
    [
      'Llama with max_tokens',
      LLAMA,
      { prompt: 'x', max_tokens: 5 },
      malformed('#: extraneous key [max_tokens] is not permitted'),
    ],
    [
      'Llama over max_gen_len',
      LLAMA,
      { prompt: 'x', max_gen_len: 4096 },
      malformed('#/max_gen_len: 4096 is not less or equal to 2048'),
    ],
    ['Mistral with messages', MISTRAL, { messages: [] }, malformed('2 schema violations found')],
    ['Mistral chat with a prompt', MISTRAL_CHAT, { prompt: 'x' }, malformed('2 schema violations found')],
  ])('refuses %s', (_name, info, body, message) => {
    expect(() => familyOf(info).parse(body, info)).toThrow(
      expect.objectContaining({ exception: 'ValidationException', message }),
    );
  });
});

/** A body per family, with its max-tokens and stop-sequence fields. */
const BODIES: Array<[ModelInfo, (max: number, stops: string[]) => unknown]> = [
  [CLAUDE, (max, stops) => anthropic({ max_tokens: max, stop_sequences: stops, system: 'Be brief' })],
  [
    NOVA,
    (max, stops) => ({
      system: [{ text: 'Be brief' }],
      messages: [{ role: 'user', content: [{ text: 'Hello there' }] }],
      inferenceConfig: { max_new_tokens: max, stopSequences: stops },
    }),
  ],
  [
    TITAN,
    (max, stops) => ({
      inputText: 'Hello there',
      textGenerationConfig: { maxTokenCount: max, stopSequences: stops },
    }),
  ],
  [LLAMA, (max) => ({ prompt: 'Hello there', max_gen_len: max })],
  [MISTRAL, (max, stops) => ({ prompt: 'Hello there', max_tokens: max, stop: stops })],
  [MISTRAL_CHAT, (max) => ({ messages: [{ role: 'user', content: 'Hello there' }], max_tokens: max })],
];

/** Each family's own stop reason for end_turn, max_tokens, stop_sequence, and where it sits. */
const STOP: Record<string, [(body: Native) => unknown, string, string, string]> = {
  [CLAUDE.id]: [(b) => b.stop_reason, 'end_turn', 'max_tokens', 'stop_sequence'],
  [NOVA.id]: [(b) => b.stopReason, 'end_turn', 'max_tokens', 'stop_sequence'],
  [TITAN.id]: [(b) => b.results[0].completionReason, 'FINISH', 'LENGTH', 'STOP_CRITERIA_MET'],
  [LLAMA.id]: [(b) => b.stop_reason, 'stop', 'length', 'stop'],
  [MISTRAL.id]: [(b) => b.outputs[0].stop_reason, 'stop', 'length', 'stop'],
  [MISTRAL_CHAT.id]: [(b) => b.choices[0].stop_reason, 'stop', 'length', 'stop'],
};

/** Where each family's stream chunks carry text and the stop reason. */
const STREAM: Record<string, [(body: Native) => unknown, (body: Native) => unknown]> = {
  [CLAUDE.id]: [(b) => b.delta?.text, (b) => b.delta?.stop_reason],
  [NOVA.id]: [(b) => b.contentBlockDelta?.delta.text, (b) => b.messageStop?.stopReason],
  [TITAN.id]: [(b) => b.outputText, (b) => b.completionReason],
  [LLAMA.id]: [(b) => b.generation, (b) => b.stop_reason],
  [MISTRAL.id]: [(b) => b.outputs[0].text, (b) => b.outputs[0].stop_reason],
  [MISTRAL_CHAT.id]: [(b) => b.choices[0].message.content, (b) => b.choices[0].stop_reason],
};

describe.each(BODIES)('InvokeModel native replies for %s', (info, body) => {
  const family = familyOf(info);
  const context = { model: info, requestId: 'r-1' };
  const [stopOf, natural, length, stopped] = STOP[info.id] ?? [];

  it('ends naturally, is cut by max tokens, and stops at a stop sequence with its own stop reason', () => {
    const full = plan(family.parse(body(1000, []), info));
    expect(stopOf?.(family.response(full, context))).toBe(natural);
    const cut = plan(family.parse(body(3, []), info));
    expect(cut.reply.outputTokens).toBe(3);
    expect(stopOf?.(family.response(cut, context))).toBe(length);
    if (info.family === 'llama' || info.mistralChat) return; // these bodies take no stop sequences
    const stop = ` ${full.reply.text.split(' ')[2]}`;
    const hit = plan(family.parse(body(1000, [stop]), info));
    expect(full.reply.text.startsWith(hit.reply.text)).toBe(true);
    expect(stopOf?.(family.response(hit, context))).toBe(stopped);
  });

  it('gives the same reply whatever the limit, cut short', () => {
    const long = plan(family.parse(body(1000, []), info)).reply.text;
    expect(long.startsWith(plan(family.parse(body(4, []), info)).reply.text)).toBe(true);
  });

  it('streams the same text, one delta per token, with its own stop reason', () => {
    const planned = plan(family.parse(body(3, []), info));
    const chunks = family.stream(planned, context);
    const [textOf, stopOfStream] = STREAM[info.id] ?? [];
    const deltas = chunks.filter((c) => c.delta);
    expect(deltas).toHaveLength(3);
    expect(deltas.map((c) => textOf?.(c.body)).join('')).toBe(planned.reply.text);
    expect(chunks.map((c) => stopOfStream?.(c.body)).filter((r) => r != null)).toEqual([length]);
  });
});

describe('InvokeModel native usage fields', () => {
  it.each<[ModelInfo, (b: Native) => [unknown, unknown]]>([
    [CLAUDE, (b) => [b.usage.input_tokens, b.usage.output_tokens]],
    [NOVA, (b) => [b.usage.inputTokens, b.usage.outputTokens]],
    [TITAN, (b) => [b.inputTextTokenCount, b.results[0].tokenCount]],
    [LLAMA, (b) => [b.prompt_token_count, b.generation_token_count]],
  ])('%s reports the planned counts in its own fields', (info, counts) => {
    const body = BODIES.find(([m]) => m === info)?.[1](7, []);
    const planned = plan(familyOf(info).parse(body, info));
    expect(counts(familyOf(info).response(planned, { model: info, requestId: 'r' }))).toEqual([
      planned.inputTokens,
      7,
    ]);
  });

  it('names the Anthropic model without provider and version, with a msg_bdrk_ id', () => {
    const planned = plan(familyOf(CLAUDE).parse(anthropic(), CLAUDE));
    const reply = familyOf(CLAUDE).response(planned, { model: CLAUDE, requestId: 'abc' });
    expect(reply).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-3-haiku-20240307',
      stop_sequence: null,
    });
    expect(reply.id).toMatch(/^msg_bdrk_[A-Za-z0-9]{24}$/);
  });
});
