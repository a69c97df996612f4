/**
 * The schema sampler, table-style: each schema's value validates (checked with Ajv and its formats),
 * and the same seed gives the same value.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { breakJson, jsonPieces, plan } from '../../src/emulator/behaviour/generation.js';
import { sampleSchema } from '../../src/emulator/behaviour/schema.js';
import { countTokens } from '../../src/emulator/behaviour/text.js';
import { resolveModel } from '../../src/emulator/catalogue/catalogue.js';

const ajv = new Ajv({ strict: false });
addFormats.default(ajv);

const SCHEMAS: Array<[string, object]> = [
  ['string lengths', { type: 'string', minLength: 20, maxLength: 25 }],
  ['short string', { type: 'string', maxLength: 3 }],
  ['integer bounds', { type: 'integer', minimum: 10, maximum: 12 }],
  ['exclusive number', { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }],
  ['multipleOf', { type: 'integer', minimum: 1, multipleOf: 5 }],
  ['enum', { enum: ['b', 'c'] }],
  ['const', { const: 42 }],
  ['nullable type list', { type: ['null', 'boolean'] }],
  [
    'formats',
    {
      type: 'object',
      properties: Object.fromEntries(
        ['date', 'date-time', 'email', 'uuid', 'uri', 'ipv4', 'time'].map((f) => [
          f,
          { type: 'string', format: f },
        ]),
      ),
      additionalProperties: false,
    },
  ],
  ['array bounds', { type: 'array', items: { type: 'integer' }, minItems: 4, maxItems: 5 }],
  ['empty array allowed', { type: 'array', items: { type: 'string' }, maxItems: 0 }],
  ['prefixItems', { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 2 }],
  [
    'anyOf first branch',
    {
      anyOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'number' }],
    },
  ],
  ['oneOf first branch', { oneOf: [{ type: 'string', format: 'email' }, { type: 'integer' }] }],
  [
    'allOf merged',
    {
      allOf: [
        { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] },
        { properties: { b: { type: 'boolean' } }, required: ['b'] },
      ],
    },
  ],
  [
    '$ref to $defs',
    {
      type: 'object',
      properties: { p: { $ref: '#/$defs/point' } },
      required: ['p'],
      $defs: {
        point: {
          type: 'object',
          properties: { x: { type: 'number' }, y: { type: 'number' } },
          required: ['x', 'y'],
          additionalProperties: false,
        },
      },
    },
  ],
  [
    'recursive tree',
    {
      $ref: '#/definitions/node',
      definitions: {
        node: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/definitions/node' } },
          },
          required: ['name'],
        },
      },
    },
  ],
  [
    'nested required objects',
    {
      type: 'object',
      properties: {
        a: {
          type: 'object',
          properties: {
            b: {
              type: 'object',
              properties: { c: { type: 'string', minLength: 1 } },
              required: ['c'],
              additionalProperties: false,
            },
          },
          required: ['b'],
          additionalProperties: false,
        },
      },
      required: ['a'],
      additionalProperties: false,
    },
  ],
];

describe('sampleSchema', () => {
  it.each(SCHEMAS)('%s: the value validates, the same for the same seed', (_, schema) => {
    for (const seed of [1, 2, 3, 99, 123456]) {
      const value = sampleSchema(schema, seed);
      expect(ajv.validate(schema, value), `${JSON.stringify(value)} ${JSON.stringify(ajv.errors)}`).toBe(
        true,
      );
      expect(sampleSchema(schema, seed)).toEqual(value);
    }
  });
});

describe('JSON answers', () => {
  it('splits JSON into pieces of exactly one token each', () => {
    const json = JSON.stringify({ name: 'alpha bravo', list: [1, 22, 'x y'], ok: true });
    const pieces = jsonPieces(json);
    expect(pieces.join('')).toBe(json);
    expect(pieces.every((p) => countTokens(p) === 1)).toBe(true);
    expect(pieces.length).toBe(countTokens(json));
  });

  it('breakJson keeps the token count and leaves text no parser takes', () => {
    const model = resolveModel('global.anthropic.claude-haiku-4-5-20251001-v1:0');
    if (!model) throw new Error('catalogue lost Haiku 4.5');
    const planned = plan({
      model,
      texts: ['x'],
      maxTokens: 500,
      stopSequences: [],
      canonical: 'c',
      outputSchema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
    });
    expect(JSON.parse(planned.reply.text)).toHaveProperty('a');
    const broken = breakJson(planned);
    expect(() => JSON.parse(broken.reply.text)).toThrow();
    expect(countTokens(broken.reply.text)).toBe(planned.reply.outputTokens);
  });
});
