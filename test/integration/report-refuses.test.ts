/**
 * `run-batch report` through the built CLI reads only results files and never writes over what it
 * reads (the same path, a symlink, a hard link, another results file), and escapes HTML in ids.
 */
import { linkSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const env = () => ({ ...used.env(), AWS_EC2_METADATA_DISABLED: 'true' });

describe('report -o never overwrites what it reads', () => {
  async function resultsDir(): Promise<string> {
    const dir = workdir();
    writeFileSync(join(dir, 'z.csv'), 'prompt\nx\ny\n');
    expect((await runCli(['z.csv', '-q'], { cwd: dir, env: env() })).code).toBe(0);
    return dir;
  }

  it.each([
    ['the same path', (_dir: string) => 'z.results.csv'],
    [
      'a symlink to it',
      (dir: string) => {
        symlinkSync(join(dir, 'z.results.csv'), join(dir, 'link.csv'));
        return 'link.csv';
      },
    ],
    [
      'a hard link to it',
      (dir: string) => {
        linkSync(join(dir, 'z.results.csv'), join(dir, 'hard.md'));
        return 'hard.md';
      },
    ],
  ])('refuses %s, and the paid rows stay', async (_what, target) => {
    const dir = await resultsDir();
    const before = readFileSync(join(dir, 'z.results.csv'), 'utf8');
    const result = await runCli(['report', 'z.results.csv', '-o', target(dir)], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a file this report reads');
    expect(readFileSync(join(dir, 'z.results.csv'), 'utf8')).toBe(before);
  });

  it('refuses another results file, and writes a new file or an old report', async () => {
    const dir = await resultsDir();
    writeFileSync(join(dir, 'w.csv'), 'prompt\nq\n');
    expect((await runCli(['w.csv', '-q'], { cwd: dir, env: env() })).code).toBe(0);
    const other = await runCli(['report', 'z.results.csv', '-o', 'w.results.csv'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is a run-batch results file');
    writeFileSync(join(dir, 'old-report.md'), 'an old report');
    for (const out of ['new-report.md', 'old-report.md']) {
      const ok = await runCli(['report', 'z.results.csv', '--format', 'md', '-o', out], { cwd: dir });
      expect(ok.code, ok.stderr).toBe(0);
      expect(readFileSync(join(dir, out), 'utf8')).toContain('# run-batch report');
    }
  });
});

describe('report reads only results files', () => {
  it('a 0-byte file is refused with a clear message', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'empty.results.csv'), '');
    const result = await runCli(['report', 'empty.results.csv'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('empty.results.csv: is empty (0 bytes), not a results file');
  });

  it('an unknown status is named by line, not counted as neither ok nor error', async () => {
    const dir = workdir();
    const line = (status: string) =>
      JSON.stringify({ status, model: 'm', input_tokens: 1, output_tokens: 1, cost_usd: 0.001 });
    writeFileSync(join(dir, 'r.results.jsonl'), `${line('ok')}\n${line('done')}\n`);
    const result = await runCli(['report', 'r.results.jsonl'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('r.results.jsonl:2: "status" must be "ok" or "error", got "done"');
  });

  it('the md report escapes HTML in model ids', async () => {
    const dir = workdir();
    const row = {
      status: 'ok',
      model: '<img src=x onerror=alert(1)>|x',
      input_tokens: 1,
      output_tokens: 1,
      cost_usd: '',
    };
    writeFileSync(join(dir, 'r.results.jsonl'), `${JSON.stringify(row)}\n`);
    const result = await runCli(['report', 'r.results.jsonl', '--format', 'md'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('<img');
    expect(result.stdout).toContain('&lt;img src=x onerror=alert(1)&gt;\\|x');
  });
});
