/**
 * `--tag` as request metadata (issue 27, second "Done when"): `--tag team=support` arrives at the
 * emulator as `requestMetadata` (Converse) and as the X-Amzn-Bedrock-Request-Metadata header
 * (InvokeModel), with `run_id` and `row_id` on every call; `--no-request-metadata` sends the tags
 * alone; a row id Bedrock would refuse is encoded, never an error; a bad tag is exit 2 naming it
 * with nothing sent; and request metadata is no part of the answer ledger's key: a rerun with
 * another --tag reuses every answer (0 calls). Counted on the emulator's stats.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const ODD_ID = 'ticket #7 (ünïcode)';

function input(dir: string): void {
  writeFileSync(join(dir, 'in.csv'), `id,prompt\nr1,One\nr2,Two\n"${ODD_ID}",Three\n`);
}

const csv = (path: string) => parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;

async function run(dir: string, args: string[]) {
  return runCli(['in.csv', ...args], { cwd: dir, env: used.env() });
}

describe('--tag as request metadata', () => {
  for (const api of ['converse', 'invoke'] as const) {
    it(`arrives with run_id and row_id on every ${api} call`, async () => {
      const dir = workdir();
      input(dir);
      const result = await run(dir, ['--api', api, '--tag', 'team=support', '--tag', 'project=night run']);
      expect(result.code).toBe(0);
      const seen = used.emulator.stats().requestMetadata;
      expect(seen).toHaveLength(3);
      const runIds = new Set(seen.map((m) => m.run_id));
      expect(runIds.size).toBe(1);
      expect([...runIds][0]).toMatch(/^[0-9a-f-]{36}$/);
      const rowIds = seen.map((m) => m.row_id).sort();
      // The odd id holds '(', 'ü' and the like, which Bedrock refuses: encoded, and sent.
      const encoded = `b64:${Buffer.from(ODD_ID, 'utf8').toString('base64url')}`;
      expect(rowIds).toEqual([encoded, 'r1', 'r2'].sort());
      for (const metadata of seen) {
        expect(metadata).toMatchObject({ team: 'support', project: 'night run' });
        expect(Object.keys(metadata).sort()).toEqual(['project', 'row_id', 'run_id', 'team']);
      }
      const rows = csv(join(dir, 'in.results.csv'));
      expect(rows.every((r) => r.status === 'ok')).toBe(true);
      expect(rows.map((r) => JSON.parse(r.request_tags as string))).toEqual(
        Array(3).fill({ team: 'support', project: 'night run' }),
      );
      const summary = JSON.parse(readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8'));
      expect(summary.tags).toEqual({ team: 'support', project: 'night run' });
      const report = await runCli(['report', 'in.results.csv', '--by', 'tag:team', '--format', 'json'], {
        cwd: dir,
      });
      expect(JSON.parse(report.stdout).groups).toEqual([
        expect.objectContaining({ 'tag:team': 'support', rows: 3 }),
      ]);
    });
  }

  it('--no-request-metadata sends the tags alone, and nothing without tags', async () => {
    const dir = workdir();
    input(dir);
    const result = await run(dir, ['--tag', 'team=support', '--no-request-metadata']);
    expect(result.code).toBe(0);
    expect(used.emulator.stats().requestMetadata).toEqual(Array(3).fill({ team: 'support' }));
    used.emulator.resetStats();
    const bare = await run(dir, ['--no-request-metadata', '-o', 'bare.csv', '--no-reuse']);
    expect(bare.code).toBe(0);
    expect(used.emulator.stats().ok).toBe(3);
    expect(used.emulator.stats().requestMetadata).toEqual([]);
  });

  it('a rerun with another --tag reuses every answer: request metadata is not in the ledger key', async () => {
    const dir = workdir();
    input(dir);
    const first = await run(dir, ['--tag', 'team=support']);
    expect(first.code).toBe(0);
    expect(used.emulator.stats().ok).toBe(3);
    used.emulator.resetStats();
    // Another output file, so only the ledger can answer; another tag and another run id.
    const second = await run(dir, ['--tag', 'team=billing', '--tag', 'owner=ops', '-o', 'second.csv']);
    expect(second.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    const rows = csv(join(dir, 'second.csv'));
    expect(rows.map((r) => r.reused)).toEqual(['true', 'true', 'true']);
    // The rows carry this run's tags, though their answers were bought under another.
    expect(JSON.parse(rows[0]?.request_tags as string)).toEqual({ team: 'billing', owner: 'ops' });
  });

  it('a rerun of the same results file under another --tag keeps the tags its kept rows were bought under', async () => {
    const dir = workdir();
    input(dir);
    expect((await run(dir, ['--tag', 'team=support'])).code).toBe(0);
    writeFileSync(join(dir, 'in.csv'), `${readFileSync(join(dir, 'in.csv'), 'utf8')}r4,Four\n`);
    used.emulator.resetStats();
    expect((await run(dir, ['--tag', 'team=billing'])).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(1);
    const rows = csv(join(dir, 'in.results.csv'));
    // report --by tag:team sums these: the spend of the first run stays with support.
    expect(rows.map((r) => [r.id, JSON.parse(r.request_tags as string).team])).toEqual([
      ['r1', 'support'],
      ['r2', 'support'],
      [ODD_ID, 'support'],
      ['r4', 'billing'],
    ]);
  });

  it('a tag Bedrock would refuse is exit 2 naming it, before anything is sent', async () => {
    const dir = workdir();
    input(dir);
    for (const [tag, words] of [
      ['team=sup%port', /--tag "team=sup%port" holds "%", which Bedrock refuses/],
      ['noequals', /--tag must be key=value, got "noequals"/],
      ['run_id=x', /key "run_id" is filled by run-batch itself/],
      [`k=${'v'.repeat(257)}`, /value is 257 characters long; Bedrock takes at most 256/],
    ] as const) {
      const result = await run(dir, ['--tag', tag]);
      expect(result.code, tag).toBe(2);
      expect(result.stderr).toMatch(words);
    }
    const many = Array.from({ length: 15 }, (_, i) => ['--tag', `k${i}=v`]).flat();
    const tooMany = await run(dir, many);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/gives 15 tags; .* at most 14/);
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('a job file gives tags as a mapping', async () => {
    const dir = workdir();
    input(dir);
    writeFileSync(join(dir, 'job.yaml'), 'tag:\n  team: support\n  cost-center: "42"\n');
    const result = await run(dir, ['--job', 'job.yaml']);
    expect(result.code).toBe(0);
    const seen = used.emulator.stats().requestMetadata;
    expect(seen).toHaveLength(3);
    for (const metadata of seen) expect(metadata).toMatchObject({ team: 'support', 'cost-center': '42' });
  });
});
