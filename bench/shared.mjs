// The shared-limiter scenarios: three processes on one emulator quota at once, none told the quota,
// on three bucket shapes, side by side in one run: three run-batch runners sharing `--limiter` on
// one redis-server, three run-batch runners each on its own, and three loops of the AWS SDK in its
// `adaptive` retry mode (bench/bare-loop.mjs). The ideal is the three inputs together at the
// quota's pace: the bucket's first burst free at the start, then the refill rate.
//   BENCH_SHAPES=6,60     only those bucket shapes
//   BENCH_SIDES=limiter   only those sides (limiter, alone, sdk, told)
//   BENCH_REPEAT=3        each shape three times: every side's share of the ideal, each run
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bareLoop, FAKE_ENV, makeRows, OUT, ROOT, startEmulator, timed } from './lib.mjs';

const BIN = join(ROOT, 'bin/run-batch.js');
const RUNNERS = 3;
const CONCURRENCY = 20;
const LATENCY_MS = 100;
/**
 * Per bucket shape: the quota and each runner's rows, so that the time after the first burst (the
 * ideal) is 20 to 25 s and dominates the run. A 60 s bucket at 3,000 rpm would hold the whole input
 * of the smaller shapes, so that shape runs at 1,200 rpm: its burst is 1,200 of the 1,710 calls,
 * spent in the first few seconds, and the 25.5 s after it are at the refill rate.
 */
export const SHARED_SHAPES = [
  { seconds: 1, rpm: 3000, rowsEach: 350 },
  { seconds: 6, rpm: 3000, rowsEach: 500 },
  { seconds: 60, rpm: 1200, rowsEach: 570 },
];
const pick = (name, all) => (process.env[name] ? process.env[name].split(',') : all);

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Debian's redis-server on a free port, no persistence; a missing one stops the benchmark loudly. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve, reject) => {
    let text = '';
    child.once('error', (error) =>
      reject(new Error(`redis-server: ${error.message} (apt-get install redis-server)`)),
    );
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (/Ready to accept connections/.test(text)) resolve();
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((done) => {
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

/** Three processes at once, the emulator's buckets full before them; wall time of all three. */
async function three(emulator, start) {
  await emulator.reset();
  const started = performance.now();
  const runs = await Promise.all(Array.from({ length: RUNNERS }, (_, i) => start(i)));
  const ms = performance.now() - started;
  const stats = await emulator.stats();
  const cpuMs = runs.reduce((sum, r) => sum + (r.cpuMs ?? 0), 0);
  return { ms, cpuMs, codes: runs.map((r) => r.code).join(','), ...stats };
}

function runner(emulator, rows, flags) {
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  return (i) => {
    const input = makeRows(rows, `shared-${rows}-${i}.csv`);
    const output = join(OUT, `shared-${i}.results.csv`);
    rmSync(output, { force: true });
    // --no-ledger: every runner pays for every call it times (identical rows are not reused).
    return timed([BIN, input, '-o', output, '-c', String(CONCURRENCY), '--no-ledger', ...flags], env);
  };
}

function sdk(emulator, rows) {
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  return (i) => bareLoop(makeRows(rows, `shared-${rows}-${i}.csv`), CONCURRENCY, 'adaptive', env);
}

/** One bucket shape, every side; `key` keeps what one case's runners learned in Redis from the next. */
async function shape({ seconds, rpm, rowsEach }, redis, key) {
  const emulator = await startEmulator([
    '--rpm',
    String(rpm),
    '--burst-seconds',
    String(seconds),
    '--latency-ms',
    String(LATENCY_MS),
  ]);
  const limiter = (name) => ['--limiter', redis.url, '--limiter-key', `${key}-${name}`];
  const sides = pick('BENCH_SIDES', ['limiter', 'alone', 'sdk']);
  const cases = {};
  // Start-up: three processes of one row each (one call), with the limiter, and three SDK loops.
  if (sides.includes('limiter'))
    cases['start-up (1 row each), --limiter'] = await three(emulator, runner(emulator, 1, limiter('start')));
  if (sides.includes('sdk')) cases['start-up (1 row each), SDK'] = await three(emulator, sdk(emulator, 1));
  if (sides.includes('limiter'))
    cases['with --limiter'] = await three(emulator, runner(emulator, rowsEach, limiter('not-told')));
  if (sides.includes('alone')) cases['without'] = await three(emulator, runner(emulator, rowsEach, []));
  if (sides.includes('sdk')) cases['SDK adaptive'] = await three(emulator, sdk(emulator, rowsEach));
  if (sides.includes('told'))
    cases['told --rpm, with --limiter'] = await three(
      emulator,
      runner(emulator, rowsEach, ['--rpm', String(rpm), ...limiter('told')]),
    );
  await emulator.stop();

  const perSecond = rpm / 60;
  const rows = rowsEach * RUNNERS;
  const burst = perSecond * seconds;
  const idealS = (rows - burst) / perSecond;
  const figures = { [`ideal s (${rows} rows, burst ${burst})`]: idealS };
  const startup = {
    'with --limiter': cases['start-up (1 row each), --limiter'],
    without: cases['start-up (1 row each), --limiter'],
    'SDK adaptive': cases['start-up (1 row each), SDK'],
  };
  for (const [name, run] of Object.entries(cases)) {
    figures[`${name}: wall s`] = run.ms / 1000;
    if (name.startsWith('start-up')) continue;
    // Told, the runners keep to the quota's pace and leave the burst unused: their ideal is rows / rate.
    const ideal = name.startsWith('told') ? rows / perSecond : idealS;
    figures[`${name}: share of ideal`] = ideal / (run.ms / 1000);
    if (startup[name])
      figures[`${name}: share, net of start-up`] = ideal / ((run.ms - startup[name].ms) / 1000);
    figures[`${name}: throttled share`] = run.throttled / Math.max(1, run.requests);
    figures[`${name}: rows ok / exit codes`] = `${run.ok} / ${run.codes}`;
    figures[`${name}: CPU s (three)`] = run.cpuMs / 1000;
  }
  return figures;
}

/** Every shape (BENCH_SHAPES picks), BENCH_REPEAT times each; `report(scenario, figures)` prints. */
export async function sharedLimiter(report) {
  const shapes = pick(
    'BENCH_SHAPES',
    SHARED_SHAPES.map((s) => String(s.seconds)),
  );
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
  const redis = await startRedis();
  try {
    for (const s of SHARED_SHAPES.filter((s) => shapes.includes(String(s.seconds))))
      for (let i = 0; i < repeat; i++) {
        const name = `three runners not told, ${s.rpm} rpm, ${s.seconds} s bucket (concurrency ${CONCURRENCY} each, ${LATENCY_MS} ms)`;
        report(
          repeat > 1 ? `${name}, run ${i + 1} of ${repeat}` : name,
          await shape(s, redis, `${s.seconds}-${i}`),
        );
      }
  } finally {
    await redis.stop();
  }
}
