/**
 * Several inputs on one command line run one after another through the built CLI: each to its
 * own results file, the exit code the worst of them, and -o refused before anything runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const env = () => ({ ...used.env(), AWS_EC2_METADATA_DISABLED: 'true' });

describe('several inputs run one after another', () => {
  it('each to its own results file; the exit code is the worst', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 't1.csv'), 'prompt\nhello\nthere\n');
    writeFileSync(join(dir, 't2.jsonl'), '{"prompt":"world"}\n');
    writeFileSync(join(dir, 'bad.csv'), 'text\nno prompt column\n');
    const result = await runCli(['t1.csv', 'bad.csv', 't2.jsonl'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('input 1 of 3: t1.csv');
    expect(result.stderr).toContain('bad.csv:1: no "prompt" column');
    expect(readFileSync(join(dir, 't1.results.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readJsonl(join(dir, 't2.results.jsonl'))).toMatchObject([{ status: 'ok' }]);
    expect(used.emulator.stats().requests).toBe(3);
  });

  it('all fine is exit 0; -o with several inputs is refused before anything runs', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'a.csv'), 'prompt\nx\n');
    writeFileSync(join(dir, 'b.csv'), 'prompt\ny\n');
    expect((await runCli(['a.csv', 'b.csv', '-q'], { cwd: dir, env: env() })).code).toBe(0);
    const refused = await runCli(['a.csv', 'b.csv', '-o', 'out.csv'], { cwd: dir, env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--output names one results file, but 2 inputs were given');
    expect(existsSync(join(dir, 'out.csv'))).toBe(false);
  });
});
