/**
 * Job files through the built CLI: the shipped examples run as cron would start them (from another
 * directory), flags override keys, and a bad file stops the run with exit 2 before anything is sent.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({}, 'stats');
const env = used.env;

/** A copy of the repo's jobs/ and fixtures/, and an unrelated directory to run from, as cron does. */
function checkout(): { root: string; elsewhere: string } {
  const root = workdir();
  cpSync(join(ROOT, 'jobs'), join(root, 'jobs'), { recursive: true });
  cpSync(FIXTURES, join(root, 'fixtures'), { recursive: true });
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  return { root, elsewhere };
}

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path), { columns: true, bom: true }) as Array<Record<string, string>>;
}

describe('the shipped jobs', () => {
  it('nightly-tickets.yaml runs on the emulator, its paths relative to the job file', async () => {
    const { root, elsewhere } = checkout();
    const result = await runCli(['run', '--job', '../jobs/nightly-tickets.yaml'], { cwd: elsewhere });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/rows {6}25 total: 25 ok, 0 error/);
    const rows = readCsv(join(root, 'fixtures/prompts.nightly.results.csv'));
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(['ok']));
    expect(rows[0]?.model).toBe('global.anthropic.claude-haiku-4-5-20251001-v1:0');
  });

  it('bedrock-tickets.yaml resolves (template, id column, caps) and rehearses on the emulator', async () => {
    const { root, elsewhere } = checkout();
    const result = await runCli(
      [
        'run',
        '--job',
        join(root, 'jobs/bedrock-tickets.yaml'),
        '--emulate',
        '-o',
        'try.csv',
        '--rpm',
        '6000',
      ],
      { cwd: elsewhere },
    );
    expect(result.code, result.stderr).toBe(0);
    const events = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ type: 'summary', exitCode: 0, output: join(elsewhere, 'try.csv') });
    const rows = readCsv(join(elsewhere, 'try.csv'));
    expect(rows.map((row) => row.id)).toEqual(
      readCsv(join(root, 'fixtures/tickets.csv')).map((r) => r.ticket_id),
    );
    expect(rows[0]).toMatchObject({ status: 'ok', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' });
    expect(existsSync(join(root, 'fixtures/tickets.nightly.results.csv'))).toBe(false);
  });
});

describe('a job file', () => {
  it('gives way to flags on the command line', async () => {
    const dir = workdir('prompts.csv');
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(
      join(dir, 'jobs/job.yaml'),
      'input: ../prompts.csv\noutput: from-job.csv\nemulate: true\nmax-tokens: 7\nlog-format: json\n',
    );
    const result = await runCli(
      ['run', '--job', 'jobs/job.yaml', '--no-emulate', '-o', 'from-flag.csv', '--log-format', 'text'],
      { cwd: dir, env: env() },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^rows {6}25 total/m); // text, not json
    expect(existsSync(join(dir, 'jobs/from-job.csv'))).toBe(false);
    const rows = readCsv(join(dir, 'from-flag.csv'));
    // --no-emulate sent the calls to the endpoint in the environment; max-tokens still came from the file.
    expect(used.emulator.stats().requests).toBe(25);
    for (const row of rows) expect(Number(row.output_tokens)).toBeLessThanOrEqual(7);
  });

  it('takes its input from the positional argument when one is given', async () => {
    const dir = workdir('prompts.csv', 'tickets.csv');
    writeFileSync(
      join(dir, 'job.yaml'),
      'input: prompts.csv\ntemplate: "{{subject}}"\nid-column: ticket_id\n',
    );
    const result = await runCli(['run', 'tickets.csv', '--job', 'job.yaml'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/rows {6}12 total/);
  });

  it.each([
    [
      'an unknown key',
      'input: ../prompts.csv\nconcurency: 4\n',
      'jobs/bad.yaml: unknown key "concurency" (did you mean "concurrency"?)',
    ],
    [
      'a bad value',
      'input: ../prompts.csv\nconcurrency: 0\n',
      'jobs/bad.yaml: concurrency must be a whole number from 1 to 10000, got "0"',
    ],
    [
      'a bad boolean',
      'input: ../prompts.csv\nemulate: yes\n',
      'jobs/bad.yaml: emulate must be true or false, got "yes"',
    ],
    [
      'broken YAML',
      'input: ../prompts.csv\nstop: [END\nconcurrency: 2\n',
      'jobs/bad.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ])('with %s stops with exit 2, naming file and key, before anything is sent', async (_, text, message) => {
    const dir = workdir('prompts.csv');
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(join(dir, 'jobs/bad.yaml'), text);
    const result = await runCli(['run', '--job', 'jobs/bad.yaml'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`run-batch: ${message}\n`);
    expect(used.emulator.stats().requests).toBe(0);
    expect(existsSync(join(dir, 'prompts.results.csv'))).toBe(false);
  });

  it('is shown in --help with the run command', async () => {
    const result = await runCli(['run', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/run-batch run \[input\.\.\]/);
    expect(result.stdout).toMatch(/--job +Job file/);
    expect(result.stdout).toMatch(/--csv-safe/);
    expect(result.stdout).toMatch(/--log-format/);
    expect(result.stdout).toContain('[choices: "text", "json"]');
    expect(result.stdout).toMatch(/-q, --quiet/);
  });
});
