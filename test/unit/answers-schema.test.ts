import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { loadSchema, nativeProblems, validatorOf } from '../../src/job/json-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-schema-'));
let n = 0;
function file(text: string, ext = 'json'): string {
  const path = join(dir, `s${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

function failure(path: string, label = 'schema.json'): RunBatchError {
  try {
    loadSchema(path, label);
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    return error as RunBatchError;
  }
  throw new Error('expected the schema to be refused');
}

describe('loading the answer schema', () => {
  it('reads JSON and YAML alike, with properties in order and the validator kept', () => {
    const json = loadSchema(
      file('{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"number"}}}'),
      'x',
    );
    const yaml = loadSchema(
      file('type: object\nproperties:\n  b: {type: string}\n  a: {type: number}\n', 'yaml'),
      'y',
    );
    expect(json.properties).toEqual(['b', 'a']);
    expect(yaml.schema).toEqual(json.schema);
    expect(json.text).toBe(JSON.stringify(json.schema));
    // compiled once: the engine's lookup by text gives the same validator
    expect(validatorOf(yaml.text)).toBe(yaml.validate);
    expect(json.validate({ b: 'x', a: 1 })).toBe(true);
    expect(json.validate({ b: 1 })).toBe(false);
  });

  it('checks formats (ajv-formats), not just types', () => {
    const s = loadSchema(file('{"type":"object","properties":{"d":{"type":"string","format":"date"}}}'), 'x');
    expect(s.validate({ d: '2026-03-02' })).toBe(true);
    expect(s.validate({ d: 'last Tuesday' })).toBe(false);
  });

  it('takes draft 2020-12 schemas', () => {
    const s = loadSchema(
      file(
        '{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"a":{"type":"array","prefixItems":[{"type":"string"}]}}}',
      ),
      'x',
    );
    expect(s.validate({ a: ['x'] })).toBe(true);
    expect(s.validate({ a: [1] })).toBe(false);
  });

  it.each([
    [
      'a syntax error, with its line',
      '{\n  "type": "object",\n  "properties": {\n}',
      /^schema\.json:4:\d+: /,
    ],
    ['a list', '[1, 2]', /a JSON Schema must be an object, got a list/],
    ['no top-level object', '{"type":"string"}', /top level must be \{"type": "object"/],
    [
      'an unknown keyword (a typo)',
      '{"type":"object","properties":{"a":{"type":"string","enun":["x"]}}}',
      /unknown keyword: "enun"/,
    ],
    [
      'a bad type name',
      '{"type":"object","properties":{"a":{"type":"strin"}}}',
      /not a usable JSON Schema: .*type/,
    ],
    [
      'a dangling $ref',
      '{"type":"object","properties":{"a":{"$ref":"#/$defs/nope"}}}',
      /can't resolve reference/,
    ],
    [
      'an unknown format',
      '{"type":"object","properties":{"a":{"type":"string","format":"colour"}}}',
      /unknown format "colour"/,
    ],
  ])('refuses %s as a CONFIG error naming the file', (_name, text, message) => {
    const error = failure(file(text));
    expect(error.code).toBe('CONFIG');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('schema.json')).toBe(true);
  });

  it('names a missing file', () => {
    expect(failure(join(dir, 'nope.json'), 'jobs/nope.json').message).toBe(
      '--json-schema jobs/nope.json: cannot read it: no such file',
    );
  });
});

describe('what native structured output refuses', () => {
  it.each([
    [{ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } }, []],
    [{ type: 'object', properties: {} }, ['/: an object needs "additionalProperties": false']],
    [
      {
        type: 'object',
        additionalProperties: false,
        properties: { n: { type: 'integer', minimum: 1 }, s: { type: 'string', maxLength: 5 } },
      },
      ['/properties/n: "minimum" is not supported', '/properties/s: "maxLength" is not supported'],
    ],
    [
      {
        type: 'object',
        additionalProperties: false,
        properties: { tree: { $ref: '#/$defs/node' } },
        $defs: {
          node: {
            type: 'object',
            additionalProperties: false,
            properties: { kids: { type: 'array', items: { $ref: '#/$defs/node' } } },
          },
        },
      },
      [
        '/properties/tree: recursive "$ref" #/$defs/node is not supported',
        '/$defs/node/properties/kids/items: recursive "$ref" #/$defs/node is not supported',
      ],
    ],
    // enum values are data, not schema: a property named "minimum" in an enum is fine
    [{ type: 'object', additionalProperties: false, properties: { k: { enum: ['minimum'] } } }, []],
  ])('%j -> %j', (schema, problems) => {
    expect(nativeProblems(schema as Record<string, unknown>)).toEqual(problems);
  });
});
