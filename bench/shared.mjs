// The shared-limiter scenario: three run-batch processes on one emulator quota at once, told the
// quota and not told it, each with `--limiter` on one redis-server and without it. The ideal is
// the three inputs together at the quota's pace, after the bucket's first burst.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FAKE_ENV, makeRows, OUT, ROOT, startEmulator, timed } from './lib.mjs';

const BIN = join(ROOT, 'bin/run-batch.js');
const RPM = 1200;
const SHAPE = 6;
const ROWS_EACH = 200;
const RUNNERS = 3;

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

async function three(emulator, flags) {
  await emulator.reset();
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  const started = performance.now();
  const runs = await Promise.all(
    Array.from({ length: RUNNERS }, (_, i) => {
      const input = makeRows(ROWS_EACH, `shared-${i}.csv`);
      const output = join(OUT, `shared-${i}.results.csv`);
      rmSync(output, { force: true });
      // --no-ledger: every runner pays for every call it times (identical rows are not reused).
      return timed([BIN, input, '-o', output, '-c', '20', '--no-ledger', ...flags], env);
    }),
  );
  const ms = performance.now() - started;
  const stats = await emulator.stats();
  return { ms, codes: runs.map((r) => r.code).join(','), ...stats };
}

export async function sharedLimiter() {
  const redis = await startRedis();
  const emulator = await startEmulator([
    '--rpm',
    String(RPM),
    '--burst-seconds',
    String(SHAPE),
    '--latency-ms',
    '100',
  ]);
  // A key per case: the limiter keeps what its runners learned (the adaptive rate) in Redis, and
  // one case must not start from what another learned.
  const limiter = (key) => ['--limiter', redis.url, '--limiter-key', key];
  const toldFlags = ['--rpm', String(RPM)];
  const cases = {
    'told, with --limiter': await three(emulator, [...toldFlags, ...limiter('told')]),
    'told, without': await three(emulator, toldFlags),
    'not told, with --limiter': await three(emulator, limiter('not-told')),
    'not told, without': await three(emulator, []),
  };
  await emulator.stop();
  await redis.stop();
  const rows = ROWS_EACH * RUNNERS;
  const perSecond = RPM / 60;
  const figures = {
    [`ideal s (${rows} rows after a ${SHAPE} s burst)`]: (rows - perSecond * SHAPE) / perSecond,
  };
  for (const [name, run] of Object.entries(cases)) {
    figures[`${name}: wall s (all three)`] = run.ms / 1000;
    figures[`${name}: throttled share`] = run.throttled / Math.max(1, run.requests);
    figures[`${name}: rows ok / exit codes`] = `${run.ok} / ${run.codes}`;
  }
  figures['not told: with / without (wall)'] =
    cases['not told, with --limiter'].ms / cases['not told, without'].ms;
  figures['told: with / without (wall)'] = cases['told, with --limiter'].ms / cases['told, without'].ms;
  return figures;
}
