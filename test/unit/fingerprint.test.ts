/**
 * A row's fingerprint is stored in every results record: a resumed run compares it with the current
 * request to keep or re-run the row. Computed any other way (another key order, another JSON
 * shape, another hash call), it would differ from what older results files hold, and every row of
 * them would be paid again. These values were computed by the first implementation; they must
 * never change.
 */
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, matchesFingerprint } from '../../src/plan/fingerprint.js';
import { fingerprintV1 } from '../../src/plan/fingerprint-v1.js';
import type { PromptRequest } from '../../src/types.js';

const request = (fields: Record<string, unknown>) => fields as unknown as PromptRequest;

describe('fingerprint version 1 (frozen: results files written before version 2 hold these)', () => {
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
    expect(fingerprintV1(request(fields))).toBe(expected);
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

describe('fingerprint version 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-'));
  const file = (name: string, bytes: string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const base = {
    model: 'm',
    messages: [{ role: 'user', content: [{ text: 'x' }] }],
    inference: { maxTokens: 100, stopSequences: [] },
  };
  const answer = (label: string, retries: number, limit: number, schemaText = '{"type":"object"}') => ({
    wire: 'native',
    label,
    schema: {},
    schemaText,
    properties: [],
    tokens: 5,
    retries,
    maxTokensLimit: limit,
  });

  it('is 32 hex characters, distinct from version 1', () => {
    const print = fingerprint(request(base));
    expect(print).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintV1(request(base))).toHaveLength(24);
  });

  it('takes the schema by content, not its path, --json-retries or the output limit', () => {
    const a = fingerprint(request({ ...base, answer: answer('a/schema.json', 2, 64000) }));
    expect(fingerprint(request({ ...base, answer: answer('../b/s.json', 5, 8192) }))).toBe(a);
    expect(
      fingerprint(request({ ...base, answer: answer('a/schema.json', 2, 64000, '{"type":"array"}') })),
    ).not.toBe(a);
  });

  it('takes attachments by content: a replaced image of the same size is another request', () => {
    const path = file('cat.png', 'AAAA');
    const att = (p: string) => [
      { column: 'img', kind: 'image', format: 'png', path: p, bytes: 4, tokens: 1 },
    ];
    const before = fingerprint(request({ ...base, attachments: att(path) }));
    writeFileSync(path, 'BBBB'); // same size
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const after = fingerprint(request({ ...base, attachments: att(path) }));
    expect(after).not.toBe(before);
    // Moved elsewhere, same bytes: the same request.
    const moved = file('moved.png', 'BBBB');
    expect(fingerprint(request({ ...base, attachments: att(moved) }))).toBe(after);
    // s3:// by URI, not by a size of 0.
    const s3 = (uri: string) => [
      { column: 'img', kind: 'image', format: 'png', s3Uri: uri, bytes: 0, tokens: 1 },
    ];
    expect(fingerprint(request({ ...base, attachments: s3('s3://b/1.png') }))).not.toBe(
      fingerprint(request({ ...base, attachments: s3('s3://b/2.png') })),
    );
    // The same URI, another object behind it (its ETag): another request.
    const tagged = (etag: string) => [{ ...s3('s3://b/1.png')[0], etag }];
    expect(fingerprint(request({ ...base, attachments: tagged('"aaa"') }))).not.toBe(
      fingerprint(request({ ...base, attachments: tagged('"bbb"') })),
    );
  });

  it('knows a stored version 1 hash and compares it with version 1', () => {
    const v2 = fingerprint(request(base));
    const v1 = fingerprintV1(request(base));
    expect(matchesFingerprint(v2, v2, () => v1)).toBe(true);
    expect(matchesFingerprint(v1, v2, () => v1)).toBe(true);
    expect(matchesFingerprint('0'.repeat(24), v2, () => v1)).toBe(false);
  });
});
