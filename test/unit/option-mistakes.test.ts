/**
 * Option values a user gets wrong are exit 2 with a message that names the option and quotes the
 * value, never accepted or a stack trace: number forms, --region, contradictions, `-`, several bad
 * values at once, Mustache mistakes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { compileTemplate, templateProblem } from '../../src/input/template.js';
import { loadJob } from '../../src/job/file.js';
import { resolveSpec } from '../../src/job/resolve.js';

const cwd = mkdtempSync(join(tmpdir(), 'safety-options-'));
writeFileSync(join(cwd, 'in.csv'), 'prompt\nx\n');
const ctx = { cwd, env: {} };

function refusal(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string {
  try {
    resolveSpec({ input: 'in.csv', ...raw }, { cwd, env });
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    expect((error as RunBatchError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('whole numbers are written as people write them', () => {
  it.each([
    ['concurrency', '0x10'],
    ['concurrency', ' 3'],
    ['concurrency', '3 '],
    ['max-tokens', '1e3'],
    ['rpm', '0b11'],
    ['max-attempts', '0o7'],
  ])('--%s %j is refused', (flag, value) => {
    expect(refusal({ [flag]: value })).toContain(`--${flag} must be a whole number`);
  });

  it.each([
    ['temperature', ' 0.5'],
    ['max-cost', '0x1'],
  ])('--%s %j is refused', (flag, value) => {
    expect(refusal({ [flag]: value })).toContain(`--${flag} must be a number`);
  });

  it('plain numbers still work', () => {
    const spec = resolveSpec(
      { input: 'in.csv', concurrency: '16', temperature: '.5', 'max-cost': '1e2' },
      ctx,
    );
    expect([spec.concurrency, spec.temperature, spec.maxCost]).toEqual([16, 0.5, 100]);
  });
});

describe('--region is checked', () => {
  it.each(['us-east', 'US-EAST-1', 'useast1', 'us-east-1 ', 'http://us-east-1'])('refuses %j', (value) => {
    expect(refusal({ region: value })).toBe(
      `--region must be an AWS region such as us-east-1, got ${JSON.stringify(value)}`,
    );
  });
  it.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'ap-southeast-5', 'eusc-de-east-1'])(
    'takes %s',
    (value) => {
      expect(resolveSpec({ input: 'in.csv', region: value }, ctx).region).toBe(value);
    },
  );
  it('names AWS_REGION when the bad value comes from there', () => {
    expect(refusal({}, { AWS_REGION: 'virginia' })).toContain('AWS_REGION');
  });
});

describe('options that contradict each other', () => {
  it('--template with --prompt-column is refused: the column would never be read', () => {
    expect(refusal({ template: 'Say {{prompt}}', 'prompt-column': 'nope' })).toContain(
      '--prompt-column must be left out with --template',
    );
  });
  it('--emulate with --endpoint is refused', () => {
    expect(refusal({ emulate: true, endpoint: 'http://127.0.0.1:9' })).toContain(
      '--endpoint must be left out with --emulate',
    );
  });
  it('--emulate wins over AWS_ENDPOINT_URL_BEDROCK_RUNTIME from the environment', () => {
    const spec = resolveSpec(
      { input: 'in.csv', emulate: true },
      { cwd, env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9' } },
    );
    expect(spec.endpoint).toBeUndefined();
  });
});

describe('run-batch -', () => {
  it.each(['-', ''])('input %j gets a message about stdin, not about an --input option', (input) => {
    const message = refusal({ input });
    expect(message).toContain('stdin');
    expect(message).not.toContain('--input');
  });
});

describe('every bad value is reported at once', () => {
  it('on the command line', () => {
    const lines = refusal({ concurrency: '0', 'max-tokens': 'x', region: 'mars' }).split('\n');
    expect(lines).toEqual([
      expect.stringContaining('--max-tokens'),
      expect.stringContaining('--region'),
      expect.stringContaining('--concurrency'),
    ]);
  });

  it('in a job file, each named by file and key', () => {
    writeFileSync(join(cwd, 'job.yaml'), 'input: in.csv\nconcurrency: 0\nmax-tokens: lots\nregion: mars\n');
    const job = loadJob({ job: 'job.yaml' }, cwd);
    let message = '';
    try {
      job.check(() => resolveSpec(job.raw, ctx));
    } catch (error) {
      expect((error as RunBatchError).exitCode).toBe(2);
      message = (error as Error).message;
    }
    expect(message.split('\n').sort()).toEqual([
      'job.yaml: concurrency must be a whole number from 1 to 10000, got "0"',
      'job.yaml: max-tokens must be a whole number from 1 to 1000000, got "lots"',
      'job.yaml: region must be an AWS region such as us-east-1, got "mars"',
    ]);
  });
});

describe('Mustache mistakes are exit 2 naming the template', () => {
  it.each([
    ['Hi {{name}', 'unclosed tag "{{name}" at character 4'],
    ['{{#urgent}}URGENT', 'section {{#urgent}} is never closed: add {{/urgent}}'],
    ['text{{/urgent}}', '{{/urgent}} closes a section that was never opened'],
    ['{{> header}} {{text}}', 'partials ({{> header}}) are not supported'],
  ])('%j', (template, problem) => {
    expect(templateProblem(template)).toContain(problem);
    const message = refusal({ template });
    expect(message).toContain(`--template ${JSON.stringify(template)}`);
    expect(message).toContain(problem);
  });

  it('a template file is named by its @path', () => {
    writeFileSync(join(cwd, 't.txt'), 'Hi {{name}');
    expect(refusal({ template: '@t.txt' })).toContain('--template "@t.txt": unclosed tag');
  });

  it('compileTemplate itself throws a usage error, not Mustache internals', () => {
    expect(() => compileTemplate('Hi {{name}')).toThrow(RunBatchError);
  });

  it('a section over a missing column is caught like a variable', () => {
    expect(
      compileTemplate('{{#urgent}}URGENT {{/urgent}}{{^quiet}}loud{{/quiet}}{{text}}').variables,
    ).toEqual(['urgent', 'quiet', 'text']);
  });
});
