/**
 * The option tables through the built CLI: every bad value at once (flags, job-file keys, batch
 * setup), "did you mean" for flags, the last of a repeated scalar flag, a value that starts with
 * "-", one model per run, and --help per command derived from the tables.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { EMULATOR_OPTIONS } from '../../src/commands/emulator-options.js';
import { ESTIMATE_OPTIONS } from '../../src/commands/estimate-options.js';
import { REPORT_OPTIONS } from '../../src/commands/report-options.js';
import { RUN_OPTIONS } from '../../src/job/options.js';
import { FAKE_AWS_ENV, runCli, workdir } from '../helpers/cli.js';

const env = { ...FAKE_AWS_ENV, AWS_EC2_METADATA_DISABLED: 'true' };
const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const THREE = [
  '--json-retries must be a whole number from 0 to 20, got "99"',
  '--concurrency must be a whole number from 1 to 10000, got "0"',
  '--batch-min-records must be a whole number from 1 up, got "0"',
];
const SETUP = [
  "--mode batch needs --s3 s3://bucket/prefix/, where the job's input and output files go",
  '--mode batch needs --role-arn arn:aws:iam::<account>:role/<name>, the service role Bedrock assumes to read and write --s3',
];
const BAD = ['--concurrency', '0', '--json-retries', '99', '--mode', 'batch', '--batch-min-records', '0'];

function lines(stderr: string): string[] {
  return stderr
    .replace(/^run-batch: /, '')
    .trimEnd()
    .split('\n');
}

describe('every bad value at once', () => {
  it('names all three bad values on the command line in one message, exit 2', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '--emulate', ...BAD], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual(THREE);
  });

  it('without --emulate, the missing --s3 and --role-arn too', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', ...BAD], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([...THREE, ...SETUP]);
  });

  it('a job file with the same values and an unknown key: all four at once', async () => {
    const dir = workdir('prompts.csv');
    const job =
      'input: prompts.csv\nemulate: true\nconcurrency: 0\njson-retries: 99\nmode: batch\nbatch-min-records: 0\nretries: 3\n';
    writeFileSync(join(dir, 'job.yaml'), job);
    const result = await runCli(['--job', 'job.yaml'], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'job.yaml: unknown key "retries"',
      ...THREE.map((line) => `job.yaml: ${line.slice(2)}`),
    ]);
  });
});

describe('flags', () => {
  it.each([
    [['--concurency', '4'], 'unknown option --concurency (did you mean --concurrency?)'],
    [['--max_tokens', '4'], 'unknown option --max_tokens (did you mean --max-tokens?)'],
    [['--colour', 'x'], 'unknown option --colour\n'],
  ])('%j gets a suggestion when one is close', async (args, message) => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '--emulate', ...args], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('are reported with every bad value on the command line, before anything runs', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '--emulate', '--concurency', '4', '--json-retries', '99'], {
      cwd: dir,
      env,
    });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'unknown option --concurency (did you mean --concurrency?)',
      '--json-retries must be a whole number from 0 to 20, got "99"',
      'Run run-batch --help for the options.',
    ]);
  });

  it('suggests among the options of the command given', async () => {
    const result = await runCli(['emulator', '--prot', '0'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'unknown option --prot (did you mean --port?)\nRun run-batch emulator --help',
    );
  });

  it('a repeated scalar flag takes the last value: -c 4 -c 8 is 8', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['estimate', 'prompts.csv', '-c', '4', '-c', '8', '--format', 'json'], {
      cwd: dir,
      env,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).duration.concurrency).toBe(8);
  });

  it("-m too, so a wrapper's -m stays overridable; --stop stays a list", async () => {
    const dir = workdir('prompts.csv');
    const args = [
      'prompts.csv',
      '--emulate',
      '-m',
      'nobody.no-model-v1:0',
      '-m',
      HAIKU,
      '--stop',
      'A',
      '--stop',
      'B',
    ];
    const result = await runCli(args, { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(readFileSync(join(dir, 'prompts.results.csv')), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(new Set(rows.map((row) => row.model))).toEqual(new Set([HAIKU]));
  });

  it('-m a,b runs both models, a results file each; a repeated -m takes the last', async () => {
    const dir = workdir('prompts.csv');
    const result = await runCli(
      ['prompts.csv', '--emulate', '-m', 'x', '-m', `${HAIKU},amazon.nova-micro-v1:0`],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, `prompts.${HAIKU.replace(':', '-')}.results.csv`))).toBe(true);
    expect(existsSync(join(dir, 'prompts.amazon.nova-micro-v1-0.results.csv'))).toBe(true);
  });

  it('a job file model: may be a one-element list; a list of several with one -o is refused', async () => {
    const dir = workdir('prompts.csv');
    writeFileSync(join(dir, 'one.yaml'), `input: prompts.csv\nemulate: true\nmodel: [${HAIKU}]\n`);
    writeFileSync(join(dir, 'two.yaml'), `input: prompts.csv\nemulate: true\nmodel: [${HAIKU}, b]\n`);
    const one = await runCli(['--job', 'one.yaml'], { cwd: dir, env });
    expect(one.code, one.stderr).toBe(0);
    const two = await runCli(['--job', 'two.yaml', '-o', 'two.csv'], { cwd: dir, env });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--output two.csv names one results file, but -m names 2 models');
  });

  it.each([
    [['--shard', '-1/3'], '--shard must be i/N with i from 1 to N, e.g. 2/3, got "-1/3"'],
    [['-c', '-2'], '--concurrency must be a whole number from 1 to 10000, got "-2"'],
  ])('%j reaches its check though it starts with "-"', async (args, message) => {
    const dir = workdir('prompts.csv');
    const result = await runCli(['prompts.csv', '--emulate', ...args], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`run-batch: ${message}\n`);
  });
});

describe('--help per command, from the tables', () => {
  const help = async (command: string[]) => (await runCli([...command, '--help'], { env })).stdout;
  const flagsIn = (text: string) =>
    new Set([...text.matchAll(/^ {2,6}(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]));
  const own = ['help', 'version'];

  it.each([
    [['run'], ['job', ...RUN_OPTIONS.filter((d) => d.commands.includes('run')).map((d) => d.flag)]],
    [
      ['estimate'],
      [
        'job',
        ...RUN_OPTIONS.filter((d) => d.commands.includes('estimate')).map((d) => d.flag),
        ...ESTIMATE_OPTIONS.map((d) => d.flag),
      ],
    ],
    [['report'], REPORT_OPTIONS.map((d) => d.flag)],
    [['emulator'], EMULATOR_OPTIONS.map((d) => d.flag)],
  ])('%j lists exactly the options it takes', async (command, flags) => {
    expect(flagsIn(await help(command))).toEqual(new Set([...flags, ...own]));
  });

  it('estimate --help lists no run-only option', async () => {
    const text = await help(['estimate']);
    for (const flag of [
      'fresh',
      'keep-changed',
      'output',
      'grace-period',
      'wait',
      'cancel',
      'log-format',
      'quiet',
      'stream',
    ])
      expect(text).not.toContain(`--${flag} `);
    expect(text).not.toMatch(/-o, /);
  });

  it('shows numbers as numbers and defaults unquoted', async () => {
    const text = (await help(['estimate'])).replace(/\s+/g, ' ');
    expect(text).toContain('--concurrency Most calls in flight at once [number] [default: 8]');
    expect(text).toContain(
      '--assume-latency-ms Least time one call takes, for the concurrency bound [number] [default: 1000]',
    );
    expect(text).not.toMatch(/\[default: "/);
  });
});
