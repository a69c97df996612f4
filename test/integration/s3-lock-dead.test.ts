/**
 * After a kill -9, a rerun on the same host takes the S3 lock at once (its owner's pid is not
 * running here), with a warning, instead of waiting up to two minutes for it to expire.
 */
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli, waitFor } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';
import { csvRows, getText, machine, makeBucket, put, s3At } from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'bkt';
const used = useEmulator({ latencyMs: 15 });
let moto: Moto | undefined;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(() => moto?.stop());
afterEach(killStartedClis);

describe.each([
  ['the emulator', () => used.emulator.url],
  ['moto', () => (moto as Moto).url],
] as const)('the S3 lock of a run killed on this host (S3: %s)', (_name, s3Url) => {
  it('is taken over at once by the rerun, with a warning naming the dead pid', async () => {
    const s3 = s3At(s3Url());
    await makeBucket(s3, BUCKET);
    const m = machine(s3Url(), used.env());
    await put(s3, BUCKET, 'dead/in.csv', csvRows(80));
    const args = [`s3://${BUCKET}/dead/in.csv`, '-o', `s3://${BUCKET}/dead/out.csv`, '-c', '1'];
    // Default lock timings: a 2-minute expiry the rerun must not wait for.
    const child = startCli(args, { cwd: m.dir, env: m.env });
    await waitFor(
      async () => (await getText(s3, BUCKET, 'dead/.run-batch/out.csv/lock.json')) !== undefined,
      'the lock',
      { child },
    );
    const pid = child.process.pid;
    child.process.kill('SIGKILL');
    await child.ended;
    const lock = JSON.parse((await getText(s3, BUCKET, 'dead/.run-batch/out.csv/lock.json')) ?? '{}') as {
      host: string;
      pid: number;
    };
    expect(lock).toMatchObject({ host: hostname(), pid });
    const rerun = await runCli(args, { cwd: m.dir, env: m.env });
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain(`took over the lock of ${hostname()} pid ${pid}`);
    expect(rerun.stderr).toMatch(/no longer running on this host/);
    expect(rerun.stderr).not.toMatch(/waiting \d+ s/);
  });
});
