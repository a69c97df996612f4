/**
 * The S3 output's promise as a state machine (fast-check): random sequences of what operators do
 * to one nightly job writing to S3 (kill -9 at a random moment, a rerun on the same machine, a
 * rerun on a fresh machine with no staging file and no ledger, --fresh) drive the real CLI against
 * the emulator (Bedrock and S3). After every step:
 *   (a) calls paid <= rows + what each killed run bought and had not checkpointed (its calls,
 *       in flight included, less the answers it bought that are in segments, counted by when the
 *       ledger entry was created: a run on the same machine also checkpoints what an earlier
 *       killed run bought there): no answer in a segment or in a machine's own ledger is paid twice;
 *   (b) after the final clean run, the results object holds every row once, in input order, ok.
 * Every run shortens the lock's expiry (RUN_BATCH_S3_LOCK_MS) so a killed run's lock is waited out
 * in under a second.
 */
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import {
  checkpointedSince,
  csvRows,
  getText,
  type Machine,
  machine,
  put,
  s3At,
  untilLockStale,
} from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'model-bkt';
const used = useEmulator({ latencyMs: 15, s3Buckets: [BUCKET] });
afterEach(killStartedClis);
const SEEDS = 4;
const MAX_STEPS = 5;
const ROWS = 40;
const C = 4;

type Action =
  | { kind: 'kill'; afterMs: number; where: 'same' | 'new' }
  | { kind: 'rerun'; where: 'same' | 'new' }
  | { kind: 'fresh' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('kill' as const),
    afterMs: fc.integer({ min: 300, max: 2500 }),
    where: fc.constantFrom('same' as const, 'new' as const),
  }),
  fc.record({ kind: fc.constant('rerun' as const), where: fc.constantFrom('same' as const, 'new' as const) }),
  fc.constant({ kind: 'fresh' as const }),
);

const requests = async (): Promise<number> =>
  ((await (await fetch(`${used.emulator.url}/__emulator/stats`)).json()) as { requests: number }).requests;

let job = 0;

async function scenario(actions: Action[]): Promise<void> {
  const s3 = s3At(used.emulator.url);
  const prefix = `job-${++job}`;
  await put(s3, BUCKET, `${prefix}/in.csv`, csvRows(ROWS));
  const hidden = `${prefix}/.run-batch/out.jsonl/`;
  const args = [
    `s3://${BUCKET}/${prefix}/in.csv`,
    '-o',
    `s3://${BUCKET}/${prefix}/out.jsonl`,
    '-c',
    String(C),
    '--checkpoint-every',
    '5',
  ];
  const start = await requests();
  let allowance = 0;
  let current: Machine = machine(used.emulator.url, used.env());
  const on = (where: 'same' | 'new') => {
    if (where === 'new') current = machine(used.emulator.url, used.env());
    return { cwd: current.dir, env: { ...current.env, RUN_BATCH_S3_LOCK_MS: '150,600' } };
  };
  for (const a of actions) {
    if (a.kind === 'kill') {
      const calls = await requests();
      const since = new Date().toISOString();
      const child = startCli(args, on(a.where));
      await new Promise((resolve) => setTimeout(resolve, a.afterMs));
      child.process.kill('SIGKILL');
      const end = await child.ended;
      expect([null, 0]).toContain(end.code);
      await untilLockStale(s3, BUCKET, hidden);
      // What this run bought and did not checkpoint may be bought again elsewhere.
      allowance += (await requests()) - calls - (await checkpointedSince(s3, BUCKET, hidden, since));
    } else {
      const result = await runCli(
        a.kind === 'fresh' ? [...args, '--fresh'] : args,
        on(a.kind === 'fresh' ? 'same' : a.where),
      );
      expect(result.code, result.stderr).toBe(0);
    }
    // (a)
    expect((await requests()) - start).toBeLessThanOrEqual(ROWS + allowance);
  }
  const last = await runCli(args, on('new'));
  expect(last.code, last.stderr).toBe(0);
  expect((await requests()) - start).toBeLessThanOrEqual(ROWS + allowance);
  // (b)
  const out = (await getText(s3, BUCKET, `${prefix}/out.jsonl`)) ?? '';
  const records = out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; status: string });
  expect(records.map((r) => r.id)).toEqual(
    Array.from({ length: ROWS }, (_, i) => `r${String(i + 1).padStart(4, '0')}`),
  );
  expect(records.every((r) => r.status === 'ok')).toBe(true);
  expect(
    existsSync(current.staging(args[2] as string))
      ? readFileSync(current.staging(args[2] as string), 'utf8')
      : out,
  ).toBe(out);
}

describe('S3 output model: kills, reruns here and elsewhere, --fresh', () => {
  it('never loses an answer and pays again at most what was not checkpointed', async () => {
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: MAX_STEPS }), scenario), {
      numRuns: SEEDS,
      seed: 26,
      endOnFailure: true,
      // Failed once in CI: the second run, on the killed run's machine, checkpointed what the first
      // had bought there, and the bound counted it as the second's own.
      examples: [
        [
          [
            { kind: 'kill', afterMs: 710, where: 'new' },
            { kind: 'kill', afterMs: 1904, where: 'same' },
            { kind: 'rerun', where: 'same' },
            { kind: 'fresh' },
          ],
        ],
      ],
    });
  }, 600_000);
});
