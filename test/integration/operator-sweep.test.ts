/**
 * The rest of the operator's sweep (issue 22, item 12), through the built CLI against the emulator:
 * an empty input is an input error unless --allow-empty; a run clears the temporary files a
 * disk-full stop or a kill left beside its results, and only those; --attach reads only under the
 * input's directory (or --attach-root), and a URL cell is refused.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

function run(dir: string, args: string[]) {
  return runCli(args, { cwd: dir, env: used.env() });
}

describe('an input with no rows', () => {
  it.each([
    ['a 0-byte CSV', 'in.csv', ''],
    ['a header-only CSV', 'in.csv', 'id,prompt\n'],
    ['a 0-byte JSONL', 'in.jsonl', ''],
  ])('%s: exit 2 naming the file; --allow-empty warns and exits 0', async (_name, file, content) => {
    const dir = workdir();
    writeFileSync(join(dir, file), content);
    for (const command of [[], ['estimate']]) {
      const refused = await run(dir, [...command, file]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`no rows in ${file}`);
      expect(refused.stderr).toContain('--allow-empty');
      expect(refused.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    used.emulator.resetStats();
    const allowed = await run(dir, [file, '--allow-empty']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain(`warning: no rows in ${file}`);
    expect(used.emulator.stats().requests).toBe(0);
    const estimated = await run(dir, ['estimate', file, '--allow-empty']);
    expect(estimated.code, estimated.stderr).toBe(0);
    expect(estimated.stderr).toContain(`no rows in ${file}`);
  });

  it('a shard that holds none of the rows is not an empty input', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'id,prompt\nr1,Hello\n');
    // r1 falls in one of the two shards; the other shard has no rows, and is not an error.
    const codes: number[] = [];
    for (const [i, shard] of ['1/2', '2/2'].entries()) {
      const result = await run(dir, ['in.csv', '--shard', shard, '-o', `out${i}.jsonl`]);
      expect(result.stderr).not.toContain('no rows');
      codes.push(result.code);
    }
    expect(codes).toEqual([0, 0]);
  });
});

describe('temporary files a stopped run left', () => {
  it("a completed run removes its own output's *.tmp and reserve, and no other file's", async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'id,prompt\nr1,Hello\nr2,There\n');
    // What a disk-full stop (or a kill) leaves: the tmp of each atomic write beside the results
    // file, by a pid that is gone, and the disk-full reserve.
    const stale = [
      'in.results.csv.4194399.tmp',
      'in.results.csv.summary.json.4194399.tmp',
      'in.results.csv.batch.json.12.tmp',
      'in.results.csv.reserve',
    ];
    // Not this output's: another results file's tmp, and names that only look alike.
    const others = ['other.csv.4194399.tmp', 'in.results.csv.notes.tmp', 'in.results.csv.4194399.tmp.keep'];
    for (const name of [...stale, ...others]) writeFileSync(join(dir, name), 'partial');
    const result = await run(dir, ['in.csv']);
    expect(result.code, result.stderr).toBe(0);
    for (const name of stale) expect(existsSync(join(dir, name)), name).toBe(false);
    for (const name of others) expect(existsSync(join(dir, name)), name).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('in.results.csv.') && /\.\d+\.tmp$/.test(n))).toEqual(
      [],
    );
  });
});

describe('--attach reads only under the root', () => {
  /** dir/sub/in.csv with the fixtures under dir/sub/attachments, and a file outside at dir/outside.md. */
  function layout(cell: string): { dir: string; sub: string } {
    const dir = workdir();
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    cpSync(join(FIXTURES, 'attachments'), join(sub, 'attachments'), { recursive: true });
    writeFileSync(join(dir, 'outside.md'), '# Not for sending\n');
    symlinkSync(join(dir, 'outside.md'), join(sub, 'attachments', 'link.md'));
    writeFileSync(join(sub, 'in.csv'), `id,prompt,files\nr1,Describe,"${cell}"\n`);
    return { dir, sub };
  }

  it.each([
    ['a .. path', '../outside.md'],
    ['an absolute path', 'ABS'],
    ['a symlink out of it', 'attachments/link.md'],
  ])('%s is an input error naming file, line and column', async (_name, cell) => {
    const probe = layout('');
    const { sub } = layout(cell === 'ABS' ? join(probe.dir, 'outside.md') : cell);
    const result = await run(sub, ['in.csv', '--attach', 'files', '-o', 'out.jsonl']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/in\.csv:2: column "files": .*outside the input file's directory/);
    expect(result.stderr).toContain('--attach-root');
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('--attach-root DIR lets it read there, and only there', async () => {
    const { sub } = layout('../outside.md;attachments/link.md;attachments/export-steps.md');
    const allowed = await run(sub, ['in.csv', '--attach', 'files', '-o', 'out.jsonl', '--attach-root', '..']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(readJsonl(join(sub, 'out.jsonl')).map((r) => r.status)).toEqual(['ok']);
    // A root below the input's directory narrows it: the fixtures are outside it now.
    const narrowed = await run(sub, [
      'in.csv',
      '--attach',
      'files',
      '-o',
      'out2.jsonl',
      '--attach-root',
      'attachments/none',
    ]);
    expect(narrowed.code).toBe(2);
    expect(narrowed.stderr).toMatch(/in\.csv:2: column "files": \.\.\/outside\.md: is outside --attach-root/);
  });

  it.each(['https://example.com/a.png', 'http://example.com/b.pdf'])(
    '%s: URLs are not supported',
    async (url) => {
      const { sub } = layout(url);
      const result = await run(sub, ['in.csv', '--attach', 'files', '-o', 'out.jsonl']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`in.csv:2: column "files": ${url}: URLs are not supported`);
      expect(result.stderr).toContain('s3://');
    },
  );
});
