/**
 * Drives the built CLI (bin/run-batch.js, so `npm run build` first) through a fault scenario
 * against an emulator on a loopback port, then reruns it until it finishes, checking the
 * invariants after every run:
 * - every id at most once in the results file, and at the end exactly once, ok, in input order;
 * - every answer paid (the emulator's count of ok responses, over every emulator that ran) is in
 *   the results file, or was paid again at most once per interruption: up to 2 x -c for a SIGKILL
 *   (the calls in flight and the commit group being gathered), -c for a dead endpoint (the calls in
 *   flight), 1 for a damaged record, 0 for SIGTERM / SIGHUP (the grace
 *   period lets calls in flight finish and be written);
 * - exit codes as PRODUCT.md documents them: 0 or 3 after a signal, 0 / 1 / 3 while the endpoint
 *   died, 2 naming the line and the way out (`--fresh`) for a results file damaged in the middle,
 *   and a refused run leaves the results file as it was;
 * - no `.lock` or `.reserve` left behind, except after SIGKILL.
 * Violations are returned as text, never thrown, so a test can report every one of a seed.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { FAKE_AWS_ENV, startCli } from './cli.js';
import { idsIn, lastLines, statusesIn } from './fault-files.js';
import { damaged, type Scenario, type Step } from './fault-scenario.js';

export interface FaultOptions {
  rows?: number;
  concurrency?: number;
  latencyMs?: number;
  /** Directory for the input and results (a small filesystem for the disk-full case). */
  dir?: string;
  /** Most runs after the scripted steps before "never finished" is a violation. */
  maxReruns?: number;
  /** Called between runs with the run's number (the disk-full case frees space here). */
  beforeRun?: (run: number) => void;
}

/** A run still going after this long is hung (code -1 in its log). */
const HUNG_MS = 60_000;

export interface RunLog {
  step: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface FaultReport {
  seed: number;
  steps: string[];
  runs: RunLog[];
  paid: number;
  allowance: number;
  violations: string[];
}

const EXPECTED: Record<Step['kind'] | 'plain', readonly number[]> = {
  // Only when the run finished before the kill came; a killed run has no exit code to check.
  SIGKILL: [0],
  SIGTERM: [0, 3],
  SIGHUP: [0, 3],
  endpoint: [0, 1, 3],
  damage: [0],
  plain: [0],
};

export async function runScenario(scenario: Scenario, options: FaultOptions = {}): Promise<FaultReport> {
  const rows = options.rows ?? 48;
  const concurrency = options.concurrency ?? 4;
  const latencyMs = options.latencyMs ?? 40;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `fault-${scenario.seed}-`));
  const input = join(dir, `in.${scenario.format}`);
  const output = join(dir, `in.results.${scenario.format}`);
  const ids = Array.from({ length: rows }, (_, i) => `r${i + 1}`);
  writeFileSync(
    input,
    scenario.format === 'csv'
      ? `id,prompt\n${ids.map((id) => `${id},"Question ${id}, with a comma"`).join('\n')}\n`
      : ids.map((id) => `${JSON.stringify({ id, prompt: `Question ${id}` })}\n`).join(''),
  );

  const emulators: Emulator[] = [await startEmulator({ port: 0, latencyMs })];
  const port = (emulators[0] as Emulator).port;
  const violations: string[] = [];
  const runs: RunLog[] = [];
  let allowance = 0;
  let pendingDamage: { before: Buffer } | undefined;
  const args = [
    input,
    '-c',
    String(concurrency),
    '--backoff-base',
    '50',
    '--backoff-cap',
    '400',
    '--grace-period',
    '20',
  ];
  const env = {
    ...FAKE_AWS_ENV,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${port}`,
  };

  const once = async (label: string, step: Step | undefined): Promise<RunLog> => {
    options.beforeRun?.(runs.length + 1);
    const before = existsSync(output) ? readFileSync(output) : undefined;
    const started = startCli(args, { cwd: dir, env, deadlineMs: HUNG_MS });
    const child = started.process;
    const timers: NodeJS.Timeout[] = [];
    if (step && (step.kind === 'SIGKILL' || step.kind === 'SIGTERM' || step.kind === 'SIGHUP')) {
      const signal = step.kind;
      timers.push(setTimeout(() => child.exitCode === null && child.kill(signal), step.delayMs));
    }
    let restarted: Promise<void> = Promise.resolve();
    if (step?.kind === 'endpoint') {
      timers.push(
        setTimeout(() => {
          restarted = (async () => {
            await emulators.at(-1)?.close();
            await new Promise((resolve) => setTimeout(resolve, step.downMs));
            emulators.push(await startEmulator({ port, latencyMs }));
          })();
        }, step.delayMs),
      );
    }
    const end = await started.ended;
    const log: RunLog = {
      step: label,
      code: end.timedOut ? -1 : end.code,
      signal: end.timedOut ? null : end.signal,
      stderr: end.stderr,
    };
    for (const timer of timers) clearTimeout(timer);
    await restarted;
    runs.push(log);
    check(log, step?.kind ?? 'plain', before);
    return log;
  };

  const check = (log: RunLog, kind: Step['kind'] | 'plain', before: Buffer | undefined) => {
    const where = `run ${runs.length} (${log.step})`;
    if (log.code === -1) violations.push(`${where}: did not end within 60s (hung)`);
    const killed = log.signal === 'SIGKILL' && kind === 'SIGKILL';
    if (!killed) {
      const allowed = pendingDamage ? [...EXPECTED[kind], 2] : EXPECTED[kind];
      if (log.signal !== null) violations.push(`${where}: ended by ${log.signal}, not an exit code`);
      else if (!allowed.includes(log.code ?? -1))
        violations.push(
          `${where}: exit ${log.code}, expected ${allowed.join(' or ')}: ${lastLines(log.stderr)}`,
        );
      for (const leftover of ['.lock', '.reserve'])
        if (existsSync(`${output}${leftover}`)) violations.push(`${where}: ${leftover} left behind`);
    }
    if (log.code === 2) {
      if (!/:\d+:/.test(log.stderr) || !log.stderr.includes('--fresh'))
        violations.push(`${where}: exit 2 without naming the line and --fresh: ${lastLines(log.stderr)}`);
      const after = existsSync(output) ? readFileSync(output) : undefined;
      if (before && after && !before.equals(after))
        violations.push(`${where}: a refused run changed the results file`);
      // The documented recovery: fix the line. Putting the damaged byte back is that fix.
      if (pendingDamage) writeFileSync(output, pendingDamage.before);
    }
    if (log.code === 0 || log.code === 1 || log.code === 3) pendingDamage = undefined;
    if (!killed && existsSync(output)) {
      const seen = idsIn(output, scenario.format, violations, where);
      const dupes = seen.filter((id, i) => seen.indexOf(id) !== i);
      if (dupes.length > 0)
        violations.push(`${where}: ids more than once: ${[...new Set(dupes)].join(', ')}`);
    }
  };

  for (const [i, step] of scenario.steps.entries()) {
    if (step.kind === 'damage') {
      if (!existsSync(output)) await once(`step ${i + 1}: run before damage`, undefined);
      const before = readFileSync(output);
      if (before.length > 0) {
        writeFileSync(output, damaged(before, step.at, step.damage));
        pendingDamage = { before };
        allowance += 1;
      }
      continue;
    }
    // A kill -9 loses the calls in flight and the commit group being gathered (at most
    // --concurrency of each: src/run/commit-group.ts); a killed endpoint, the calls in flight.
    if (step.kind === 'SIGKILL') allowance += 2 * concurrency;
    if (step.kind === 'endpoint') allowance += concurrency;
    await once(`step ${i + 1}: ${describeStep(step)}`, step);
  }
  let last: RunLog | undefined;
  for (let n = 0; n < (options.maxReruns ?? 4); n++) {
    last = await once(`rerun ${n + 1}`, undefined);
    if (last.code === 0) break;
  }
  if (last?.code !== 0) violations.push(`never finished with exit 0 after ${options.maxReruns ?? 4} reruns`);
  else {
    const final = idsIn(output, scenario.format, violations, 'final file');
    if (final.join(',') !== ids.join(','))
      violations.push(
        `final file: ids are not the input's, once each, in order (${final.length} of ${rows})`,
      );
    const statuses = statusesIn(output, scenario.format);
    if (statuses.some((s) => s !== 'ok')) violations.push('final file: a row is not ok');
  }
  const paid = emulators.reduce((sum, e) => sum + e.stats().ok, 0);
  if (paid > rows + allowance)
    violations.push(
      `paid ${paid} answers for ${rows} rows: more than ${allowance} paid again (the bound for these steps)`,
    );
  await Promise.all(emulators.map((e) => e.close()));
  return {
    seed: scenario.seed,
    steps: scenario.steps.map(describeStep),
    runs,
    paid,
    allowance,
    violations,
  };
}

export function describeStep(step: Step): string {
  if (step.kind === 'damage') return `damage (${step.damage} at ${Math.round(step.at * 100)}%)`;
  if (step.kind === 'endpoint') return `endpoint down at ${step.delayMs}ms for ${step.downMs}ms`;
  return `${step.kind} at ${step.delayMs}ms`;
}
