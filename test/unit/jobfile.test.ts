import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunBatchError } from '../../src/errors.js';
import { closestKey, loadJob } from '../../src/job/file.js';
import { RUN_OPTIONS } from '../../src/job/options.js';
import { resolveLogOptions, resolveSpec } from '../../src/job/resolve.js';

// cwd/ holds jobs/ (the job files) and data/ (what they name), so "relative to the job file" and
// "relative to where the command runs" point at different places.
const cwd = mkdtempSync(join(tmpdir(), 'jobfile-'));
mkdirSync(join(cwd, 'jobs'));
mkdirSync(join(cwd, 'data'));
writeFileSync(join(cwd, 'data/in.csv'), 'prompt\nx\n');
writeFileSync(join(cwd, 'data/other.csv'), 'prompt\ny\n');
writeFileSync(join(cwd, 'data/system.txt'), 'Be brief.');
writeFileSync(join(cwd, 'data/template.txt'), 'Say {{prompt}}');

let n = 0;
function jobFile(text: string, ext = 'yaml'): string {
  const name = `jobs/job${++n}.${ext}`;
  writeFileSync(join(cwd, name), text);
  return name;
}

function load(text: string, flags: Record<string, unknown> = {}, ext = 'yaml') {
  const job = loadJob({ job: jobFile(text, ext), ...flags }, cwd);
  return {
    job,
    spec: () => job.check(() => resolveSpec(job.raw, { cwd, env: {} })),
    log: () => job.check(() => resolveLogOptions(job.raw)),
  };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    expect((error as RunBatchError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('job files', () => {
  it('takes every key, with paths relative to the job file', () => {
    const { spec, log } = load(
      [
        'input: ../data/in.csv',
        'output: ../out/results.jsonl',
        'system: "@../data/system.txt"',
        'template: "@../data/template.txt"',
        'model: us.anthropic.claude-3-5-haiku-20241022-v1:0',
        'max-tokens: 256',
        'concurrency: 4',
        'temperature: 0.2',
        'stop: [END, "###"]',
        'emulate: true',
        'adaptive: false',
        'csv-safe: false',
        'log-format: json',
        'quiet: true',
        'id-column: 007',
      ].join('\n'),
    );
    expect(spec()).toMatchObject({
      input: join(cwd, 'data/in.csv'),
      output: join(cwd, 'out/results.jsonl'),
      outputFormat: 'jsonl',
      system: 'Be brief.',
      template: 'Say {{prompt}}',
      model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      maxTokens: 256,
      concurrency: 4,
      temperature: 0.2,
      stop: ['END', '###'],
      emulate: true,
      adaptive: false,
      csvSafe: false,
      // a number-looking value keeps the text written, as a flag would
      idColumn: '007',
    });
    expect(log()).toEqual({ format: 'json', quiet: true });
  });

  it('reads JSON job files too', () => {
    const { spec } = load('{"input": "../data/in.csv", "concurrency": 3, "stop": "END"}', {}, 'json');
    expect(spec()).toMatchObject({ concurrency: 3, stop: ['END'] });
  });

  it('lets flags given on the command line override its keys', () => {
    const { spec, log } = load('input: ../data/in.csv\nconcurrency: 4\nemulate: true\nlog-format: json', {
      input: 'data/other.csv', // the positional, relative to cwd
      concurrency: '9',
      emulate: false, // --no-emulate
      output: 'mine.csv',
    });
    expect(spec()).toMatchObject({
      input: join(cwd, 'data/other.csv'),
      output: join(cwd, 'mine.csv'),
      concurrency: 9,
      emulate: false,
    });
    expect(log().format).toBe('json');
  });

  it('leaves flags alone without --job', () => {
    const job = loadJob({ input: 'data/in.csv', concurrency: '0' }, cwd);
    expect(job.raw).toEqual({ input: 'data/in.csv', concurrency: '0' });
    expect(errorOf(() => job.check(() => resolveSpec(job.raw, { cwd, env: {} })))).toBe(
      '--concurrency must be a whole number from 1 to 10000, got "0"',
    );
  });

  it.each([
    ['concurrency: 0', 'concurrency must be a whole number from 1 to 10000, got "0"'],
    ['concurrency: many', 'concurrency must be a whole number from 1 to 10000, got "many"'],
    ['max-tokens: 1.5', 'max-tokens must be a whole number from 1 to 1000000, got "1.5"'],
    ['temperature: 2', 'temperature must be a number from 0 to 1, got "2"'],
    ['api: chat', 'api must be one of converse, invoke, got "chat"'],
    ['endpoint: localhost:4010', 'endpoint must be an http:// or https:// URL, got "localhost:4010"'],
    ['model: true', 'model must be a non-empty text, got true'],
    [
      'model: [a, b]',
      'model names one model per spec; several at once (a, b) are one spec each: resolveModels, then runModels',
    ],
    ['stop: [{a: 1}]', 'stop must be a non-empty text, got {"a":1}'],
    ['max-cost: -1', 'max-cost must be a number from 0 to 1000000000000, got "-1"'],
    ['log-format: xml', 'log-format must be one of text, json, got "xml"'],
  ])('names the file and key of a bad value: %s', (line, problem) => {
    const { spec, log } = load(`input: ../data/in.csv\n${line}`);
    const name = `jobs/job${n}.yaml`;
    expect(errorOf(() => (line.startsWith('log-format') ? log() : spec()))).toBe(`${name}: ${problem}`);
  });

  it('names the file for a template or system file it cannot read, resolved beside it', () => {
    const { spec } = load('input: ../data/in.csv\nsystem: "@missing.txt"');
    const path = join(cwd, 'jobs/missing.txt');
    expect(errorOf(spec)).toBe(`jobs/job${n}.yaml: system @${path}: cannot read ${path}: no such file`);
  });

  it.each([
    ['emulate: yes', 'emulate must be true or false, got "yes"'],
    ['quiet: 1', 'quiet must be true or false, got "1"'],
    ['profile:', 'profile has no value; give one, or remove the key'],
    ['max-tokens: null', 'max-tokens has no value; give one, or remove the key'],
    ['concurency: 4', 'unknown key "concurency" (did you mean "concurrency"?)'],
    ['max_tokens: 4', 'unknown key "max_tokens" (did you mean "max-tokens"?)'],
    ['maxTokens: 4', 'unknown key "maxTokens" (did you mean "max-tokens"?)'],
    ['c: 4', 'unknown key "c" (did you mean "concurrency"?)'],
    ['modle: x', 'unknown key "modle" (did you mean "model"?)'],
    ['job: other.yaml', 'unknown key "job"'],
    ['colour: blue', 'unknown key "colour"'],
  ])('rejects %j, naming file and key', (line, problem) => {
    // Reported with the values' problems (below), so the file is read whole first.
    const { spec } = load(`input: ../data/in.csv\n${line}`);
    expect(errorOf(spec)).toBe(`jobs/job${n}.yaml: ${problem}`);
  });

  it('reports every bad key at once', () => {
    const name = jobFile('input: ../data/in.csv\nconcurency: 4\nemulate: yes\nmodel: x\nretries: 3');
    const job = loadJob({ job: name }, cwd);
    expect(errorOf(() => job.check(() => resolveSpec(job.raw, { cwd, env: {} }))).split('\n')).toEqual([
      `${name}: unknown key "concurency" (did you mean "concurrency"?)`,
      `${name}: emulate must be true or false, got "yes"`,
      `${name}: unknown key "retries"`,
    ]);
  });

  it.each([
    [
      'model: x\nstop: [END\nconcurrency: 2\n',
      ':3:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    ['model: x\nmodel: y\n', ':2:1: Map keys must be unique'],
    ['model: x\n\tconcurrency: 2\n', ':2:1: Tabs are not allowed as indentation'],
    ['- model\n- x\n', ': expected a mapping of option keys to values, got a list'],
    ['just words\n', ': expected a mapping of option keys to values, got a single value'],
    ['# nothing yet\n', ': is empty; expected option keys such as "model: ..."'],
  ])('names file and line of a file that is not a job: %j', (text, problem) => {
    const name = jobFile(text);
    expect(errorOf(() => loadJob({ job: name }, cwd))).toBe(`${name}${problem}`);
  });

  it('says when the job file is missing', () => {
    expect(errorOf(() => loadJob({ job: 'jobs/none.yaml' }, cwd))).toBe(
      `--job jobs/none.yaml: cannot read ${join(cwd, 'jobs/none.yaml')}: no such file`,
    );
  });

  it('accepts every run option as a key', () => {
    const lines = RUN_OPTIONS.map((def) => `${def.flag}: ${def.type === 'boolean' ? 'true' : '1'}`);
    const keys = Object.keys(loadJob({ job: jobFile(lines.join('\n')) }, cwd).raw);
    expect(keys).toEqual(['job', ...RUN_OPTIONS.map((def) => def.flag)]);
  });
});

describe('closestKey', () => {
  const known = ['concurrency', 'max-tokens', 'model', 'rpm', 'tpm', 'top-p', 'top-k', 'output'];
  it.each([
    ['concurency', 'concurrency'],
    ['concurrancy', 'concurrency'],
    ['max_tokens', 'max-tokens'],
    ['maxTokens', 'max-tokens'],
    ['MAX-TOKENS', 'max-tokens'],
    ['modle', 'model'],
    ['rpn', 'rpm'],
    ['top_p', 'top-p'],
    ['outptu', 'output'],
    ['colour', undefined],
    ['x', undefined],
    ['retries', undefined],
  ])('%s -> %s', (key, expected) => {
    expect(closestKey(key, known)).toBe(expected);
  });
});
