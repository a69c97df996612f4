/**
 * S3 input and output through the built CLI, with Bedrock from the emulator and S3 from the
 * emulator's own S3 and from moto (an S3 nobody on the team wrote): end to end, a prefix input, a
 * changed object, kill -9 and a rerun from another machine (no local journal, no local ledger),
 * two runners on one output, a stale lock. Counted with the emulator's stats, never timed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli, waitFor } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';
import {
  checkpointed,
  csvRows,
  getText,
  keysUnder,
  machine,
  makeBucket,
  put,
  s3At,
  untilLockStale,
} from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'bkt';
const used = useEmulator({ latencyMs: 15 });
let moto: Moto | undefined;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(() => moto?.stop());
afterEach(killStartedClis);

const stats = async () =>
  (await (await fetch(`${used.emulator.url}/__emulator/stats`)).json()) as { requests: number; ok: number };
const requests = async (): Promise<number> => (await stats()).requests;

const lines = (text: string | undefined) => (text ?? '').split('\n').filter((l) => l.trim() !== '');
const idsOf = (jsonl: string | undefined) => lines(jsonl).map((l) => (JSON.parse(l) as { id: string }).id);
const expectedIds = (n: number) => Array.from({ length: n }, (_, i) => `r${String(i + 1).padStart(4, '0')}`);

describe.each([
  ['the emulator', () => used.emulator.url],
  ['moto', () => (moto as Moto).url],
])('S3 from %s', (_name, s3Url) => {
  const setup = async (prefix: string) => {
    const s3 = s3At(s3Url());
    await makeBucket(s3, BUCKET);
    const m = machine(s3Url(), used.env());
    return { s3, m, uri: (key: string) => `s3://${BUCKET}/${prefix}/${key}` };
  };

  it('reads a CSV object and writes the results object whole, in order, with the summary beside it', async () => {
    const { s3, m, uri } = await setup('e2e');
    await put(s3, BUCKET, 'e2e/in.csv', csvRows(30));
    const before = await requests();
    const run = await runCli([uri('in.csv'), '-o', uri('out/results.jsonl'), '-c', '4'], {
      cwd: m.dir,
      env: m.env,
    });
    expect(run.stderr).not.toMatch(/Error|at /);
    expect(run.code).toBe(0);
    expect((await requests()) - before).toBe(30);
    expect(idsOf(await getText(s3, BUCKET, 'e2e/out/results.jsonl'))).toEqual(expectedIds(30));
    const summary = JSON.parse((await getText(s3, BUCKET, 'e2e/out/results.jsonl.summary.json')) ?? '{}');
    expect(summary).toMatchObject({ exitCode: 0, output: uri('out/results.jsonl'), input: uri('in.csv') });
    // Released at the end; the checkpoint holds every answer; nothing else beside the target.
    const keys = await keysUnder(s3, BUCKET, 'e2e/out/');
    expect(keys.filter((k) => k.endsWith('lock.json'))).toEqual([]);
    expect(await checkpointed(s3, BUCKET, 'e2e/out/.run-batch/results.jsonl/')).toBe(30);
    // The default output of one object is beside it in S3.
    const again = await runCli([uri('in.csv'), '-c', '4'], { cwd: m.dir, env: m.env });
    expect(again.code).toBe(0);
    expect(lines(await getText(s3, BUCKET, 'e2e/in.results.csv'))).toHaveLength(31);
  });

  it('reads a prefix as one input in key order, one header, skipping markers and the hidden prefix', async () => {
    const { s3, m, uri } = await setup('prefix');
    await put(s3, BUCKET, 'prefix/in/part-2.csv', csvRows(5, 6));
    await put(s3, BUCKET, 'prefix/in/part-1.csv', csvRows(5, 1));
    await put(s3, BUCKET, 'prefix/in/part-3.csv', csvRows(5, 11).trimEnd()); // no final newline
    await put(s3, BUCKET, 'prefix/in/_SUCCESS', '');
    await put(s3, BUCKET, 'prefix/in/.run-batch/x.csv/segments/000001.jsonl', '{}\n');
    // A bare prefix says its format (a glob's extension does it for it).
    const run = await runCli([uri('in/'), '-o', uri('out.csv'), '--input-format', 'csv'], {
      cwd: m.dir,
      env: m.env,
    });
    expect(run.stderr).not.toMatch(/warning/);
    expect(run.code).toBe(0);
    const out = lines(await getText(s3, BUCKET, 'prefix/out.csv'));
    // One header line, then the 15 rows in key order (part-1, part-2, part-3).
    expect(out.filter((l) => l.includes('prompt'))).toHaveLength(1);
    const idAt = (out[0] ?? '').split(',').indexOf('id');
    expect(out.slice(1).map((l) => l.split(',')[idAt])).toEqual(expectedIds(15));
    const glob = await runCli([uri('in/part-[12].csv'), '-o', uri('glob.jsonl')], { cwd: m.dir, env: m.env });
    expect(glob.code).toBe(0);
    expect(idsOf(await getText(s3, BUCKET, 'prefix/glob.jsonl'))).toEqual(expectedIds(10));
  });

  it('refuses a prefix input without -o (exit 2), and a prefix whose CSV headers differ', async () => {
    const { s3, m, uri } = await setup('noout');
    const run = await runCli([uri('in/')], { cwd: m.dir, env: m.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/names many objects: name the results with -o/);
    await put(s3, BUCKET, 'noout/in/a.csv', csvRows(2));
    await put(s3, BUCKET, 'noout/in/b.csv', 'id,text\nx,y\n');
    const bad = await runCli([uri('in/*.csv'), '-o', uri('o.csv')], { cwd: m.dir, env: m.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${uri('in/b.csv')}: its header line is not the first object's`);
  });

  it('an object changed between runs asks again only its changed rows', async () => {
    const { s3, m, uri } = await setup('changed');
    await put(s3, BUCKET, 'changed/in.csv', csvRows(20));
    expect((await runCli([uri('in.csv'), '-o', uri('out.jsonl')], { cwd: m.dir, env: m.env })).code).toBe(0);
    await put(
      s3,
      BUCKET,
      'changed/in.csv',
      csvRows(20).replace('Question 3\n', 'Question three\n').replace('Question 7\n', 'Question seven\n'),
    );
    const before = await requests();
    const run = await runCli([uri('in.csv'), '-o', uri('out.jsonl')], { cwd: m.dir, env: m.env });
    expect(run.code).toBe(0);
    expect((await requests()) - before).toBe(2);
    const out = lines(await getText(s3, BUCKET, 'changed/out.jsonl'));
    expect(out[2]).toContain('Question three');
    expect(out[6]).toContain('Question seven');
  });

  it('an object replaced while the run reads it stops the run (exit 3) and writes no results object', async () => {
    const { s3, m, uri } = await setup('during');
    await put(s3, BUCKET, 'during/in.csv', csvRows(60));
    const child = startCli([uri('in.csv'), '-o', uri('out.jsonl'), '-c', '1'], { cwd: m.dir, env: m.env });
    const staging = m.staging(uri('out.jsonl'));
    await waitFor(
      () => existsSync(staging) && lines(readFileSync(staging, 'utf8')).length >= 5,
      '5 rows staged',
      { child },
    );
    await put(s3, BUCKET, 'during/in.csv', csvRows(61));
    expect(await child.exited).toBe(3);
    expect(child.stderr()).toMatch(/the input changed in S3 while the run read it/);
    expect(await getText(s3, BUCKET, 'during/out.jsonl')).toBeUndefined();
  });

  it('kill -9 at ~60%, then the same command on another machine: every row once, paid again at most the answers after the last checkpoint plus -c', async () => {
    const { s3, m, uri } = await setup('kill');
    const rows = 100;
    const c = 4;
    await put(s3, BUCKET, 'kill/in.csv', csvRows(rows));
    const args = [uri('in.csv'), '-o', uri('out.jsonl'), '-c', String(c), '--checkpoint-every', '10'];
    const before = await requests();
    const okBefore = (await stats()).ok;
    // The killed run's lock expires in 1 s here (2 minutes by default), so the rerun takes it soon.
    const child = startCli(args, { cwd: m.dir, env: { ...m.env, RUN_BATCH_S3_LOCK_MS: '250,1000' } });
    const staging = m.staging(uri('out.jsonl'));
    await waitFor(
      () => existsSync(staging) && lines(readFileSync(staging, 'utf8')).length >= 60,
      '60 rows staged',
      { child },
    );
    child.process.kill('SIGKILL');
    await child.ended;
    const firstCalls = (await requests()) - before;
    // Answers bought: what the server answered ok (an answer the client had not read yet when it
    // died counts here too, and is paid again below).
    const bought = (await stats()).ok - okBefore;
    const saved = await checkpointed(s3, BUCKET, 'kill/.run-batch/out.jsonl/');
    expect(saved).toBeGreaterThan(0);
    await untilLockStale(s3, BUCKET, 'kill/.run-batch/out.jsonl/');
    // Another machine: no staging file, no ledger, another cwd and HOME; the lock is stale.
    const other = machine(s3Url(), used.env());
    const mid = await requests();
    const rerun = await runCli(args, { cwd: other.dir, env: other.env });
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/took over the (expired )?lock|waiting/);
    const secondCalls = (await requests()) - mid;
    expect(idsOf(await getText(s3, BUCKET, 'kill/out.jsonl'))).toEqual(expectedIds(rows));
    // Rows never bought by the first run must be bought now; anything more is an answer paid twice.
    const paidAgain = secondCalls - (rows - firstCalls);
    // + 2c: the calls in flight at the kill and the ledger's commit group being gathered.
    expect(paidAgain).toBeLessThanOrEqual(bought - saved + 2 * c);
    expect(secondCalls).toBe(rows - saved);
  });

  it('two runs on one S3 output at once: the second exits 4 naming the owner', async () => {
    const { s3, m, uri } = await setup('two');
    await put(s3, BUCKET, 'two/in.csv', csvRows(80));
    const first = startCli([uri('in.csv'), '-o', uri('out.csv'), '-c', '1'], { cwd: m.dir, env: m.env });
    await waitFor(
      async () => (await getText(s3, BUCKET, 'two/.run-batch/out.csv/lock.json')) !== undefined,
      'the lock',
      { child: first },
    );
    const other = machine(s3Url(), used.env());
    const second = await runCli([uri('in.csv'), '-o', uri('out.csv')], { cwd: other.dir, env: other.env });
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`${hostname()} pid ${first.process.pid}`);
    expect(await first.exited).toBe(0);
  });

  it('a stale lock (heartbeat stopped) is waited for, named, then taken', async () => {
    const { s3, m, uri } = await setup('stale');
    await put(s3, BUCKET, 'stale/in.csv', csvRows(5));
    const now = Date.now();
    const lock = {
      host: 'old-box',
      pid: 4242,
      runId: 'dead-run',
      heartbeat: new Date(now - 600_000).toISOString(),
      expires: new Date(now + 6000).toISOString(),
    };
    await put(s3, BUCKET, 'stale/.run-batch/out.csv/lock.json', JSON.stringify(lock));
    const run = await runCli([uri('in.csv'), '-o', uri('out.csv')], { cwd: m.dir, env: m.env });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /the lock of old-box pid 4242 \(run dead-run\) has had no heartbeat for \d+ s; waiting \d+ s/,
    );
    expect(run.stderr).toMatch(/took over the expired lock of old-box pid 4242/);
    expect(lines(await getText(s3, BUCKET, 'stale/out.csv'))).toHaveLength(6);
  });
});
