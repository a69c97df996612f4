import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { defaultOutputPath, resolveSpec } from '../../src/job/resolve.js';

const cwd = mkdtempSync(join(tmpdir(), 'resolve-'));
writeFileSync(join(cwd, 'in.csv'), 'prompt\nx\n');
writeFileSync(join(cwd, 'in.txt'), 'prompt\nx\n');
writeFileSync(join(cwd, 'system.txt'), 'Be brief.');
const ctx = { cwd, env: {} };

function usage(raw: Record<string, unknown>): string {
  try {
    resolveSpec({ input: 'in.csv', ...raw }, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    expect((error as RunBatchError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('resolveSpec', () => {
  it('applies the defaults from PRODUCT.md', () => {
    const spec = resolveSpec({ input: 'in.csv' }, ctx);
    expect(spec).toMatchObject({
      input: join(cwd, 'in.csv'),
      inputFormat: 'csv',
      output: join(cwd, 'in.results.csv'),
      outputFormat: 'csv',
      promptColumn: 'prompt',
      model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      maxTokens: 512,
      region: 'us-east-1',
      concurrency: 8,
      stop: [],
      emulate: false,
    });
  });

  it('reads @file values and repeated --stop', () => {
    const spec = resolveSpec({ input: 'in.csv', system: '@system.txt', stop: ['A', 'B'] }, ctx);
    expect(spec.system).toBe('Be brief.');
    expect(spec.stop).toEqual(['A', 'B']);
  });

  it('takes region and endpoint from the environment', () => {
    const spec = resolveSpec(
      { input: 'in.csv' },
      { cwd, env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9' } },
    );
    expect(spec.region).toBe('eu-west-1');
    expect(spec.endpoint).toBe('http://127.0.0.1:9');
  });

  it.each([
    ['x.csv', 'x.results.csv', undefined],
    ['data/x.jsonl', 'data/x.results.jsonl', undefined],
    ['x.ndjson', 'x.results.ndjson', undefined],
    ['x.csv', 'x.results.jsonl', 'jsonl'],
  ] as const)('names the default output of %s', (input, expected, format) => {
    expect(defaultOutputPath(input, format)).toBe(expected);
  });

  it.each([
    [{ concurrency: '0' }, '--concurrency must be a whole number from 1 to 10000, got "0"'],
    [{ concurrency: 'many' }, '--concurrency must be a whole number from 1 to 10000, got "many"'],
    [{ 'max-tokens': '1.5' }, '--max-tokens must be a whole number from 1 to 1000000, got "1.5"'],
    [{ temperature: '2' }, '--temperature must be a number from 0 to 1, got "2"'],
    [{ 'top-p': '-1' }, '--top-p must be a number from 0 to 1, got "-1"'],
    [{ endpoint: 'localhost:4010' }, '--endpoint must be an http:// or https:// URL, got "localhost:4010"'],
    [
      { system: '@missing.txt' },
      `--system @missing.txt: cannot read ${join(cwd, 'missing.txt')}: no such file`,
    ],
    [{ output: 'in.csv' }, `--output must differ from the input file, got ${join(cwd, 'in.csv')}`],
    [
      { output: 'out.txt' },
      `cannot tell the format of ${join(cwd, 'out.txt')} from its extension; pass --output-format csv|jsonl|parquet`,
    ],
  ])('rejects %j', (raw, message) => {
    expect(usage(raw)).toBe(message);
  });

  it('rejects an input it cannot place', () => {
    expect(() => resolveSpec({ input: 'in.txt' }, ctx)).toThrow(/cannot tell the format of .*in\.txt/);
    expect(() => resolveSpec({ input: 'nope.csv' }, ctx)).toThrow(/nope\.csv: no such file/);
  });
});
