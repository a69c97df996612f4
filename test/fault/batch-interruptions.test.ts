/**
 * The fault suite in batch mode (issue 23): the built CLI (`npm run build` first) with `--mode
 * batch` against an emulator whose control plane and S3 outlive every run, through seeded random
 * interruptions (SIGKILL or SIGTERM at each phase: building records, uploading, creating, waiting,
 * collecting, rewriting the results file), with the control plane answering throttles and 500s on
 * Create/Get/List and S3 failing uploads at seeded rates; then the same command until it is done.
 * After every run and at the end:
 * - never two jobs for the same records (ListModelInvocationJobs: at most one job per content hash
 *   that did not end without answering, and the emulator answered each record once);
 * - never an on-demand call (every row goes in a job here; the runtime's request count stays 0);
 * - every id at most once in the results file; at the end exactly once, in input order, ok, at
 *   batch price (service_tier batch);
 * - exit codes as documented: 0, 3 after a SIGTERM (jobs keep running), nothing after a SIGKILL.
 * The S3 side runs against the emulator's own S3 and, for BATCH_FAULT_MOTO_SEEDS seeds, moto. Odd
 * seeds run with --no-ledger, even ones with the answer ledger, so neither hides the other's bugs.
 * CI budget: BATCH_FAULT_SEEDS seeds (default 6, about 3 s each on 2 cores) plus the regressions,
 * and 2 moto seeds (moto's start, about 5 s, then about 3 s each).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { BIN, FAKE_AWS_ENV } from '../helpers/cli.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';
import { random } from '../helpers/fault-scenario.js';

const FIRST = Number(process.env.BATCH_FAULT_FIRST_SEED ?? 1);
const COUNT = Number(process.env.BATCH_FAULT_SEEDS ?? 6);
const ROWS = 240;
const PHASES = ['building', 'uploading', 'creating', 'waiting', 'collecting', 'rewriting'] as const;
type Phase = (typeof PHASES)[number];

/** Seeds that once failed, with what they caught. */
const REGRESSIONS: ReadonlyArray<{ seed: number; caught: string }> = [];

interface Step {
  signal: 'SIGKILL' | 'SIGTERM';
  phase: Phase;
  delayMs: number;
}

function scenario(seed: number) {
  const next = random(seed);
  const steps: Step[] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
    signal: next() < 0.6 ? 'SIGKILL' : 'SIGTERM',
    phase: PHASES[Math.floor(next() * PHASES.length)] as Phase,
    delayMs: Math.floor(next() * 40),
  }));
  return { steps, controlFailRate: next() < 0.5 ? 0.1 : 0, uploadFailRate: next() < 0.5 ? 0.2 : 0 };
}

async function summaries(url: string): Promise<Array<{ jobName: string; status: string }>> {
  // The control plane's fault knob answers the harness too: asked again until it answers.
  for (;;) {
    const response = await fetch(`${url}/model-invocation-jobs?maxResults=1000`);
    if (response.ok)
      return (
        (await response.json()) as { invocationJobSummaries: Array<{ jobName: string; status: string }> }
      ).invocationJobSummaries;
  }
}

/** Where the job files go: the emulator's own S3, or moto (the emulator reads and writes it too). */
interface S3Side {
  url: string;
  bucket: string;
}

async function inputUploaded(s3: S3Side): Promise<boolean> {
  const listing = await fetch(`${s3.url}/${s3.bucket}?list-type=2&prefix=fault/`);
  return (await listing.text()).includes('/input/');
}

async function moment(phase: Phase, emulator: Emulator, dir: string, s3: S3Side): Promise<boolean> {
  const byStatus = emulator.stats().batch.byStatus;
  switch (phase) {
    case 'building':
      return true; // 250 ms after the start, plus the step's delay: loading, reading, planning
    case 'uploading':
      return existsSync(join(dir, 'out.csv.batch.json'));
    case 'creating':
      return inputUploaded(s3);
    case 'waiting':
      return (byStatus.InProgress ?? 0) + (byStatus.Scheduled ?? 0) + (byStatus.Validating ?? 0) > 0;
    case 'collecting':
      return (byStatus.Completed ?? 0) > 0;
    case 'rewriting':
      return (
        existsSync(join(dir, 'out.csv')) && readFileSync(join(dir, 'out.csv'), 'utf8').split('\n').length > 30
      );
  }
}

/**
 * Whether the process has used 200 ms of CPU: Node's own start takes about 110 ms, and the bin
 * listens for signals from its first line, right after. CPU time, not wall time: on a loaded
 * machine Node can take a second of wall time to get there (Linux: /proc/PID/stat, in ticks).
 */
function pastNodeStart(pid: number | undefined): boolean {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]) >= 20;
  } catch {
    return true; // gone already: nothing to wait for
  }
}

interface RunLog {
  step: string;
  code: number | null;
  signal: string | null;
  stderr: string;
}

async function runOnce(
  s3: S3Side,
  dir: string,
  env: Record<string, string>,
  emulator: Emulator,
  ledger: readonly string[],
  step?: Step,
): Promise<RunLog> {
  const args = [
    'in.csv',
    '-o',
    'out.csv',
    '--mode',
    'batch',
    '--s3',
    `s3://${s3.bucket}/fault/`,
    '--role-arn',
    'arn:aws:iam::123456789012:role/Batch',
    ...ledger,
  ];
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  let done = false;
  void exited.then(() => (done = true));
  if (step) {
    // No program hears a signal before Node has run its first line (the bin listens from there),
    // and a moment left over from an earlier run would otherwise come true at once.
    while (!done && !pastNodeStart(child.pid)) await new Promise((r) => setTimeout(r, 3));
    await new Promise((r) => setTimeout(r, 250));
    while (!done && !(await moment(step.phase, emulator, dir, s3)))
      await new Promise((r) => setTimeout(r, 3));
    if (!done) {
      await new Promise((r) => setTimeout(r, step.delayMs));
      child.kill(step.signal);
    }
  }
  const [code, signal] = await exited;
  return { step: step ? `${step.signal}@${step.phase}+${step.delayMs}ms` : 'rerun', code, signal, stderr };
}

async function check(run: RunLog, emulator: Emulator, dir: string, violations: string[]): Promise<void> {
  const where = `${run.step} (exit ${run.code ?? run.signal})`;
  const byContent = new Map<string, number>();
  for (const job of await summaries(emulator.url)) {
    if (['Failed', 'Stopped', 'Expired'].includes(job.status)) continue;
    const content = job.jobName.replace(/-\d+$/, '');
    byContent.set(content, (byContent.get(content) ?? 0) + 1);
  }
  for (const [content, count] of byContent)
    if (count > 1) violations.push(`${where}: ${count} live jobs hold the records of ${content}`);
  if (emulator.stats().batch.records > ROWS)
    violations.push(
      `${where}: the emulator answered ${emulator.stats().batch.records} records for ${ROWS} rows`,
    );
  if (emulator.stats().requests > 0)
    violations.push(`${where}: ${emulator.stats().requests} on-demand calls`);
  const out = join(dir, 'out.csv');
  const ids = existsSync(out)
    ? (parse(readFileSync(out), { columns: true }) as Array<{ id: string }>).map((r) => r.id)
    : [];
  if (new Set(ids).size !== ids.length) violations.push(`${where}: an id is twice in the results file`);
  const allowed: Array<number | null> =
    run.signal === 'SIGKILL' ? [null] : run.step.startsWith('SIGTERM') ? [0, 3] : [0];
  if (!allowed.includes(run.code))
    violations.push(
      `${where}: exit ${run.code}, expected ${allowed.join(' or ')}: ${run.stderr.trim().split('\n').slice(-2).join(' / ')}`,
    );
}

async function runSeed(seed: number, moto?: Moto) {
  const plan = scenario(seed);
  const s3: S3Side = moto ? { url: moto.url, bucket: `fault-${seed}` } : { url: '', bucket: 'jobs' };
  if (moto) await fetch(`${moto.url}/${s3.bucket}`, { method: 'PUT' });
  const emulator = await startEmulator({
    port: 0,
    seed,
    s3Buckets: ['jobs'],
    ...(moto ? { s3Endpoint: moto.url } : {}),
    batchStepMs: 20,
    batchRecordsPerStep: 30,
    batchControlFailRate: plan.controlFailRate,
    // Upload faults are the emulator's S3's; moto does not fail.
    s3UploadFailRate: moto ? 0 : plan.uploadFailRate,
  });
  if (!moto) s3.url = emulator.url;
  const dir = mkdtempSync(join(tmpdir(), 'batch-fault-'));
  const lines = Array.from({ length: ROWS }, (_, i) => `r${i + 1},"Seed ${seed} question ${i + 1}"`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    ...FAKE_AWS_ENV,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    AWS_ENDPOINT_URL_S3: s3.url,
    RUN_BATCH_POLL_MS: '40',
  };
  // Every other seed without the answer ledger: the ledger must not be what hides a job-identity bug.
  const ledger = seed % 2 === 1 ? ['--no-ledger'] : [];
  const violations: string[] = [];
  const runs: RunLog[] = [];
  try {
    for (const step of plan.steps) {
      const run = await runOnce(s3, dir, env, emulator, ledger, step);
      runs.push(run);
      await check(run, emulator, dir, violations);
    }
    for (let i = 0; i < 4 && runs.at(-1)?.code !== 0; i++) {
      const run = await runOnce(s3, dir, env, emulator, ledger);
      runs.push(run);
      await check(run, emulator, dir, violations);
    }
    const rows = parse(readFileSync(join(dir, 'out.csv')), { columns: true }) as Array<
      Record<string, string>
    >;
    const expected = Array.from({ length: ROWS }, (_, i) => `r${i + 1}`);
    if (JSON.stringify(rows.map((r) => r.id)) !== JSON.stringify(expected))
      violations.push('end: the results file does not hold every id once, in input order');
    if (!rows.every((r) => r.status === 'ok' && r.service_tier === 'batch'))
      violations.push('end: a row is not ok at batch price');
    if (emulator.stats().batch.records !== ROWS)
      violations.push(`end: the emulator answered ${emulator.stats().batch.records} records, not ${ROWS}`);
  } finally {
    await emulator.close();
  }
  return { seed, plan, runs, violations, ledger: ledger.length === 0 };
}

function explain(report: Awaited<ReturnType<typeof runSeed>>): string {
  return [
    `seed ${report.seed}${report.ledger ? '' : ' (--no-ledger)'}: control fail rate ${report.plan.controlFailRate}, upload fail rate ${report.plan.uploadFailRate}`,
    ...report.runs.map((r) => `  ${r.step}: exit ${r.code ?? r.signal}`),
    ...report.violations.map((v) => `  violated: ${v}`),
  ].join('\n');
}

const seeds = [...REGRESSIONS.map((r) => r.seed), ...Array.from({ length: COUNT }, (_, i) => FIRST + i)];

describe('batch fault injection: kills at every phase, control-plane and S3 faults, rerun until done', () => {
  it.each(seeds)(
    'seed %i',
    async (seed) => {
      const report = await runSeed(seed);
      if (process.env.BATCH_FAULT_VERBOSE) console.log(explain(report));
      expect(report.violations, explain(report)).toEqual([]);
    },
    120_000,
  );
});

const MOTO_SEEDS = Number(process.env.BATCH_FAULT_MOTO_SEEDS ?? 2);

describe('the same, with moto as S3 (the emulator reading and writing it too)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });
  it.each(Array.from({ length: MOTO_SEEDS }, (_, i) => 101 + i))(
    'seed %i',
    async (seed) => {
      const report = await runSeed(seed, moto);
      if (process.env.BATCH_FAULT_VERBOSE) console.log(explain(report));
      expect(report.violations, explain(report)).toEqual([]);
    },
    120_000,
  );
});
