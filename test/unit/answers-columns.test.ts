import { describe, expect, it } from 'vitest';
import { answerValue, jsonCells, jsonColumns } from '../../src/output/json-columns.js';
import { headerText, makeLayout, recordText } from '../../src/output/layout.js';
import type { ResultRecord } from '../../src/types.js';

const properties = ['category', 'urgent', 'score', 'tags', 'contact', 'note'];

describe('json_* cells', () => {
  it('names one column per property', () => {
    expect(jsonColumns(['category', 'tags'])).toEqual(['json_category', 'json_tags']);
  });

  it.each([
    [
      { category: 'bug', urgent: true, score: 0.5, tags: ['a', 'b'], contact: { email: 'x@y' } },
      ['bug', 'true', '0.5', '["a","b"]', '{"email":"x@y"}', ''],
    ],
    [{ urgent: false, score: 0, note: null }, ['', 'false', '0', '', '', '']],
    ['not an object', ['', '', '', '', '', '']],
  ])('%j -> %j', (value, cells) => {
    expect(jsonCells(value, properties)).toEqual(cells);
  });

  it('reads the answer of ok rows only', () => {
    expect(answerValue({ status: 'ok', response: '{"a":1}' })).toEqual({ a: 1 });
    expect(answerValue({ status: 'error', response: '{"a":1}' })).toBeUndefined();
    expect(answerValue({ status: 'ok', response: 'plain text' })).toBeUndefined();
  });
});

const record = (over: Partial<ResultRecord>): ResultRecord => ({
  id: 'T-1',
  status: 'ok',
  model: 'm',
  response: '{"category":"bug","tags":["x"]}',
  stop_reason: 'end_turn',
  input_tokens: 1,
  output_tokens: 2,
  total_tokens: 3,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: null,
  latency_ms: 5,
  attempts: 1,
  finished_at: '2026-12-01T00:00:00.000Z',
  error_code: '',
  error_message: '',
  request_hash: 'h',
  ...over,
});

describe('results files with a schema', () => {
  it('CSV: the json_* columns come after the result fields, empty on an error row', () => {
    const layout = makeLayout('csv', ['id', 'text'], false, true, [], ['category', 'tags']);
    expect(headerText(layout).trim().split(',').slice(-3)).toEqual([
      'request_hash',
      'json_category',
      'json_tags',
    ]);
    expect(recordText(layout, record({}), { id: 'T-1', text: 'hi' }).trim()).toMatch(/,bug,"\[""x""\]"$/);
    const failed = record({ status: 'error', response: '', error_code: 'InvalidJson', error_message: 'bad' });
    expect(recordText(layout, failed, { id: 'T-1', text: 'hi' }).trim()).toMatch(/,InvalidJson,bad,h,,$/);
  });

  it('JSONL: response_json holds the parsed value, null on an error row', () => {
    const layout = makeLayout('jsonl', [], false, true, [], ['category', 'tags']);
    expect(JSON.parse(recordText(layout, record({}), {})).response_json).toEqual({
      category: 'bug',
      tags: ['x'],
    });
    expect(
      JSON.parse(recordText(layout, record({ status: 'error', response: '' }), {})).response_json,
    ).toBeNull();
  });

  it('without a schema nothing changes', () => {
    const layout = makeLayout('jsonl', [], false);
    expect('response_json' in JSON.parse(recordText(layout, record({}), {}))).toBe(false);
    expect(headerText(makeLayout('csv', ['id'], false))).not.toMatch(/json_/);
  });
});
