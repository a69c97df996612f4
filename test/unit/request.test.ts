import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { type RequestDefaults, requestBuilder } from '../../src/input/request.js';

const defaults: RequestDefaults = {
  label: 'in.csv',
  format: 'csv',
  promptColumn: 'prompt',
  model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  inference: { maxTokens: 512, stopSequences: [] },
};

function build(
  data: Record<string, unknown>,
  options: Partial<RequestDefaults> = {},
  columns = Object.keys(data),
) {
  return requestBuilder({ ...defaults, ...options })({ index: 4, line: 6, data }, columns);
}

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RunBatchError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('requests from rows', () => {
  it('takes the prompt column and falls back to the row number as id', () => {
    const r = build({ prompt: 'Hello' });
    expect(r.id).toBe('5');
    expect(r.messages).toEqual([{ role: 'user', content: [{ text: 'Hello' }] }]);
    expect(r.inference).toEqual({ maxTokens: 512, stopSequences: [] });
  });

  it('uses the id column when present, or the one named', () => {
    expect(build({ id: 'T-1', prompt: 'x' }).id).toBe('T-1');
    expect(build({ ticket: 'K9', prompt: 'x' }, { idColumn: 'ticket' }).id).toBe('K9');
  });

  it('applies per-row overrides; an empty cell keeps the default', () => {
    const r = build({
      prompt: 'x',
      model: 'amazon.nova-micro-v1:0',
      max_tokens: '64',
      temperature: '0.3',
      top_p: '',
      top_k: '40',
      stop_sequences: '["END"]',
      system: 'Be brief.',
    });
    expect(r.model).toBe('amazon.nova-micro-v1:0');
    expect(r.inference).toEqual({ maxTokens: 64, temperature: 0.3, topK: 40, stopSequences: ['END'] });
    expect(r.system).toBe('Be brief.');
  });

  it('renders a template over the columns', () => {
    const r = build({ lang: 'German', text: 'hello' }, { template: 'Translate to {{lang}}: {{text}}' });
    expect(r.messages[0]?.content).toEqual([{ text: 'Translate to German: hello' }]);
  });

  it('takes multi-turn messages from JSONL, with string content as shorthand', () => {
    const r = build(
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ text: 'b' }] },
          { role: 'user', content: 'c' },
        ],
      },
      { format: 'jsonl' },
    );
    expect(r.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', [{ text: 'a' }]],
      ['assistant', [{ text: 'b' }]],
      ['user', [{ text: 'c' }]],
    ]);
  });

  it('passes a batch-inference record through with its recordId as id', () => {
    const modelInput = {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    };
    const r = build({ recordId: 'CALL0000001', modelInput }, { format: 'jsonl' });
    expect(r.id).toBe('CALL0000001');
    expect(r.nativeBody).toEqual(modelInput);
  });

  it.each([
    ['a missing prompt column', { text: 'x' }, {}, /^in\.csv:1: no "prompt" column; the columns are text/],
    [
      'a template variable that is not a column',
      { text: 'x' },
      { template: '{{lang}}: {{text}}' },
      /^in\.csv:1: template variable "lang" is not a column/,
    ],
    [
      'a missing id column',
      { prompt: 'x' },
      { idColumn: 'ticket' },
      /^in\.csv:1: no "ticket" column for --id-column/,
    ],
    ['an empty prompt', { prompt: '  ' }, {}, /^in\.csv:6: the prompt in column "prompt" is empty/],
    [
      'a bad max_tokens',
      { prompt: 'x', max_tokens: 'lots' },
      {},
      /^in\.csv:6: column "max_tokens" must be a whole number from 1 to 1000000, got "lots"/,
    ],
    [
      'a temperature out of range',
      { prompt: 'x', temperature: '3' },
      {},
      /^in\.csv:6: column "temperature" must be a number from 0 to 1, got "3"/,
    ],
    [
      'stop_sequences that are not a JSON array',
      { prompt: 'x', stop_sequences: 'END' },
      {},
      /^in\.csv:6: column "stop_sequences" must be a JSON array/,
    ],
  ])('rejects %s', (_name, data, options, pattern) => {
    expect(error(() => build(data, options as Partial<RequestDefaults>))).toMatch(pattern);
  });

  it('names a template variable missing from a JSONL row', () => {
    expect(error(() => build({ text: 'x' }, { format: 'jsonl', template: '{{lang}} {{text}}' }))).toMatch(
      /^in\.csv:6: template variable "lang" is missing from the row/,
    );
  });
});
