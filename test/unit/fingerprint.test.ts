/**
 * A row's fingerprint is stored in every results record: a resumed run compares it with the current
 * request to keep or re-run the row. Computed any other way (another key order, another JSON
 * shape, another hash call), it would differ from what older results files hold, and every row of
 * them would be paid again. These values were computed by the first implementation; they must
 * never change.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/plan/fingerprint.js';
import type { PromptRequest } from '../../src/types.js';

const request = (fields: Record<string, unknown>) => fields as unknown as PromptRequest;

describe('fingerprint', () => {
  it.each([
    [
      'a plain Converse row',
      {
        index: 0,
        line: 2,
        id: 'R1',
        row: { id: 'R1', prompt: 'hi' },
        modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
        messages: [{ role: 'user', content: [{ text: 'héllo "q" \n 🎉' }] }],
        inferenceConfig: { maxTokens: 512, temperature: undefined },
        system: [{ text: 'be brief' }],
      },
      'd2ed9d49e131e33dc3316a20',
    ],
    [
      'nested values, empty objects and arrays, odd numbers',
      {
        modelId: 'z',
        nested: { z: { y: { x: [] } }, a: {} },
        list: [undefined, null, 1, 'x', { b: 1, a: [2] }],
        n: 1e308,
      },
      '7ae4bf00baae7a44f6ab26ae',
    ],
  ])('%s', (_, fields, expected) => {
    expect(fingerprint(request(fields))).toBe(expected);
  });

  it('leaves out where the row is and what changes the price, not the answer', () => {
    const base = { modelId: 'm', messages: [{ role: 'user', content: [{ text: 'x' }] }] };
    const same = {
      ...base,
      index: 9,
      line: 10,
      id: 'other',
      row: { a: 1 },
      serviceTier: 'flex',
      cacheSystem: '5m',
    };
    expect(fingerprint(request(same))).toBe(fingerprint(request(base)));
    expect(fingerprint(request({ ...base, modelId: 'n' }))).not.toBe(fingerprint(request(base)));
  });
});
