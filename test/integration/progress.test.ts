/**
 * Progress and logs of the built CLI against the emulator: the live bar under a pseudo-terminal
 * (util-linux `script`), plain lines when piped, JSON lines, --quiet, and setup errors as JSON.
 * Each row asks the emulator for 60 ms of latency, two at a time, so a run of 30 rows takes at least
 * 0.9 s: long enough for several progress lines at a 100 ms interval. Nothing asserts on timing.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { BIN, type CliResult, FAKE_AWS_ENV, runCli, workdir } from '../helpers/cli.js';

let emulator: Emulator;
const env = (extra: Record<string, string> = {}) => ({
  ...FAKE_AWS_ENV,
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
  RUN_BATCH_PROGRESS_INTERVAL_MS: '100',
  ...extra,
});

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

/** 30 slow rows; `failing` of them fail with ValidationException (never the first five). */
function slowInput(failing = 0): string {
  const dir = workdir();
  const rows = Array.from({ length: 30 }, (_, i) => {
    const fail = i >= 10 && i < 10 + failing ? ' [[emulator:error=ValidationException]]' : '';
    return `${i + 1},Summarize ticket ${i + 1} [[emulator:latency=60]]${fail}`;
  });
  writeFileSync(join(dir, 'slow.csv'), ['id,prompt', ...rows].join('\n'));
  return dir;
}

const PLAIN =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ progress \d+% \| \d+\/30 rows \| \d+\.\d rows\/s \| ETA (--|\d+s|\d+m\d\ds) \| tokens [\d,]+ in, [\d,]+ out \| (\$\d+\.\d{4}|cost unknown) \| \d+ throttled \| \d+ failed$/;
const SUMMARY_START = /^rows {6}30 total/m;
const ESC = '\u001b';

/** Runs the CLI on a pseudo-terminal 150 columns wide; returns everything the terminal received. */
function runOnTerminal(args: string[], cwd: string, extra: Record<string, string> = {}): Promise<CliResult> {
  const command = ['stty cols 150 rows 40;', process.execPath, BIN, ...args].map(shellQuote).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-q', '-e', '-c', command, '/dev/null'],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, TERM: 'xterm', ...env(extra) } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

function shellQuote(word: string): string {
  return word.endsWith(';') || /^[\w./=-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

describe('progress on a terminal', () => {
  it('draws the live bar in place, then leaves the final bar above the summary', async () => {
    const dir = slowInput(1);
    const result = await runOnTerminal(['slow.csv', '-c', '2'], dir);
    expect(result.code, result.stdout).toBe(1);
    const screen = result.stdout;
    // drawn in place: the cursor goes back to column 1 for every frame
    expect(screen).toContain(`${ESC}[1G`);
    // A frame runs up to the next escape sequence or line end.
    const frames = screen
      .split(ESC)
      .flatMap((piece) => piece.match(/[█░]{30} \d+% \d+\/30 rows \|[^\r\n]*/g) ?? []);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) {
      expect(frame).toMatch(
        /^[█░]{30} \d+% \d+\/30 rows \| \d+\.\d rows\/s \| ETA \S+ \| [\d,]+ tokens \| (\$\d+\.\d{4}|cost unknown) \| \d+ throttled( \| 1 failed)?$/,
      );
    }
    const final = `${'█'.repeat(30)} 100% 30/30 rows`;
    expect(frames.at(-1)).toContain(final);
    expect(frames.at(-1)).toContain('| 1 failed');
    expect(screen.lastIndexOf(final)).toBeLessThan(screen.search(SUMMARY_START));
    expect(screen).toMatch(/rows {6}30 total: 29 ok, 1 error, 0 skipped/);
    // no plain lines on a terminal
    expect(screen).not.toMatch(/Z progress \d+%/);
  });

  it('prints no bar with --quiet, and JSON lines with --log-format json', async () => {
    const dir = slowInput();
    const quiet = await runOnTerminal(['slow.csv', '-c', '2', '--quiet'], dir);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    const json = await runOnTerminal(['slow.csv', '-c', '2', '--log-format', 'json', '-o', 'j.csv'], dir);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('█');
    const types = json.stdout
      .trim()
      .split(/\r?\n/)
      .map((line) => JSON.parse(line).type);
    expect(types.at(-1)).toBe('summary');
  });
});

describe('progress off a terminal', () => {
  it('writes plain progress lines and the summary, with no bar and no escape codes', async () => {
    const dir = slowInput(1);
    const result = await runCli(['slow.csv', '-c', '2'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const stderr = result.stderr;
    expect(stderr).not.toContain(ESC);
    expect(stderr).not.toMatch(/[█░]/);
    const [progress, summary] = [
      stderr.slice(0, stderr.search(SUMMARY_START)),
      stderr.slice(stderr.search(SUMMARY_START)),
    ];
    const lines = progress.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(line).toMatch(PLAIN);
    const done = lines.map((line) => Number(line.match(/\| (\d+)\/30 rows/)?.[1]));
    expect(done).toEqual([...done].sort((a, b) => a - b)); // never goes backwards
    expect(summary).toMatch(/^rows {6}30 total: 29 ok, 1 error, 0 skipped\n/);
    expect(summary).toContain('errors    1 ValidationException');
    expect(summary).toContain('results   slow.results.csv');
  });

  it('writes one JSON object per line with --log-format json: progress, then the summary', async () => {
    const dir = slowInput(1);
    const result = await runCli(['slow.csv', '-c', '2', '--log-format', 'json'], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    const events = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('summary');
    expect(types.slice(0, -1).length).toBeGreaterThanOrEqual(1);
    expect(new Set(types.slice(0, -1))).toEqual(new Set(['progress']));
    for (const e of events) expect(new Date(String(e.time)).toISOString()).toBe(e.time);
    expect(events[0]).toMatchObject({ type: 'progress', total: 30 });
    expect(events.at(-1)).toMatchObject({
      type: 'summary',
      exitCode: 1,
      rows: { total: 30, ok: 29, error: 1, skipped: 0, notRun: 0 },
      errorsByCode: { ValidationException: 1 },
      output: join(dir, 'slow.results.csv'),
    });
  });

  it('prints nothing with --quiet when every row is ok, and only the summary when some failed', async () => {
    const dir = slowInput();
    const ok = await runCli(['slow.csv', '-c', '2', '--quiet'], { cwd: dir, env: env() });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('');
    expect(existsSync(join(dir, 'slow.results.csv'))).toBe(true);

    const failing = slowInput(2);
    // --no-ledger: the same prompts as the run above would otherwise be reused from the ledger.
    const failed = await runCli(['slow.csv', '-c', '2', '-q', '--no-ledger'], { cwd: failing, env: env() });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^rows {6}30 total: 28 ok, 2 error, 0 skipped\n/);
    expect(failed.stderr).not.toMatch(/progress \d+%/);
  });
});

describe('setup errors with --log-format json', () => {
  it.each([
    [
      ['prompts.csv', '--concurrency', '0'],
      'USAGE',
      () => '--concurrency must be a whole number from 1 to 10000, got "0"',
    ],
    [
      ['prompts.csv', '--bogus'],
      'USAGE',
      () => 'unknown option --bogus\nRun run-batch --help for the options.',
    ],
    [['missing.csv'], 'INPUT', (dir: string) => `${join(dir, 'missing.csv')}: no such file`],
  ])('%j is one JSON error line', async (args, code, message) => {
    const dir = workdir('prompts.csv');
    const result = await runCli([...args, '--log-format=json'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      type: 'error',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      code,
      exitCode: 2,
      message: message(dir),
    });
  });

  it('follows a job file that asks for json', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'job.yaml'), 'input: nowhere.csv\nlog-format: json\n');
    const result = await runCli(['run', '--job', 'job.yaml'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toMatchObject({
      type: 'error',
      code: 'INPUT',
      message: `${join(dir, 'nowhere.csv')}: no such file`,
    });
  });
});
