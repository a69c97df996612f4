// npm run bench: run-batch against the bare p-limit + SDK loop, side by side in one invocation,
// each scenario's figures as ratios against the baseline measured in the same run.
import { bareLoop, FAKE_ENV, makeRows, runBatch, startEmulator } from './lib.mjs';

const only = process.argv[2];
const results = [];
const report = (scenario, figures) => {
  results.push({ scenario, ...figures });
  console.log(`\n## ${scenario}`);
  for (const [k, v] of Object.entries(figures))
    console.log(`  ${k.padEnd(34)} ${typeof v === 'number' ? round(v) : v}`);
};
const round = (v) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000);
const sec = (ms) => ms / 1000;

/**
 * Best wall time of run-batch and of the bare loop over `rows` rows, three runs each, interleaved
 * so a noisy moment on the machine hits both sides alike.
 */
async function sideBySide(rows, concurrency, emulatorFlags) {
  const input = makeRows(rows);
  const emulator = await startEmulator(emulatorFlags);
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  const rb = [];
  const bare = [];
  for (let i = 0; i < 3; i++) {
    bare.push(await bareLoop(input, concurrency, 'standard', env));
    rb.push(await runBatch(input, ['-c', String(concurrency)], env));
  }
  await emulator.stop();
  const best = (list) => Math.min(...list.map((r) => r.ms));
  return { rb: best(rb), bare: best(bare) };
}

async function latencyBound() {
  const rows = 3000;
  const concurrency = 50;
  const latency = 100;
  const { rb, bare } = await sideBySide(rows, concurrency, ['--latency-ms', String(latency)]);
  const ideal = (rows * latency) / concurrency;
  report('latency-bound (3,000 rows, 100 ms, concurrency 50)', {
    'run-batch wall s (best of 3)': sec(rb),
    'bare loop wall s (best of 3)': sec(bare),
    'ideal s (rows x latency / conc.)': sec(ideal),
    'run-batch / bare loop': rb / bare,
    'ideal / run-batch (share of ideal)': ideal / rb,
    'ideal / bare loop': ideal / bare,
  });
}

async function overhead() {
  const rows = 20000;
  const { rb, bare } = await sideBySide(rows, 50, []);
  report('overhead (20,000 rows, zero latency, concurrency 50)', {
    'run-batch rows/s (best of 3)': rows / sec(rb),
    'bare loop rows/s (best of 3)': rows / sec(bare),
    'run-batch / bare loop': bare / rb,
  });
}

async function memory() {
  const figures = {};
  for (const rows of [20000, 200000]) {
    const input = makeRows(rows);
    const emulator = await startEmulator([]);
    const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
    const run = await runBatch(input, ['-c', '50'], env);
    await emulator.stop();
    figures[`peak RSS MB, ${rows} rows`] = run.rssKb / 1024;
    figures[`wall s, ${rows} rows`] = sec(run.ms);
  }
  figures['200k / 20k'] = figures['peak RSS MB, 200000 rows'] / figures['peak RSS MB, 20000 rows'];
  report('memory (zero latency, concurrency 50)', figures);
}

// A per-minute quota on the emulator, with a bucket of one second's worth: the quota's pace is then
// a clear line (rows / rate) that no initial burst can hide behind.
const QUOTA = { rpm: 3000, tpm: 2_000_000, rows: 1500, concurrency: 50, latency: 100 };
const quotaFlags = [
  '--rpm',
  String(QUOTA.rpm),
  '--tpm',
  String(QUOTA.tpm),
  '--burst-seconds',
  '1',
  '--latency-ms',
  String(QUOTA.latency),
];

async function quotaRun(emulator, fn) {
  await emulator.reset();
  const run = await fn();
  const stats = await emulator.stats();
  return { ...run, requests: stats.requests, throttled: stats.throttled, ok: stats.ok };
}

async function quotaGiven() {
  const input = makeRows(QUOTA.rows);
  const emulator = await startEmulator(quotaFlags);
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  const told = await quotaRun(emulator, () =>
    runBatch(
      input,
      ['-c', String(QUOTA.concurrency), '--rpm', String(QUOTA.rpm), '--tpm', String(QUOTA.tpm)],
      env,
    ),
  );
  await emulator.stop();
  const ideal = (QUOTA.rows / QUOTA.rpm) * 60_000;
  report(`quota given (${QUOTA.rows} rows, emulator and run-batch at ${QUOTA.rpm} rpm / ${QUOTA.tpm} tpm)`, {
    'run-batch wall s': sec(told.ms),
    "quota's pace s (rows / rpm)": sec(ideal),
    'achieved pace / quota pace': ideal / told.ms,
    'calls throttled (share)': told.throttled / told.requests,
    'rows ok': told.ok,
  });
}

async function adaptive() {
  const input = makeRows(QUOTA.rows);
  const emulator = await startEmulator(quotaFlags);
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  const rb = await quotaRun(emulator, () => runBatch(input, ['-c', String(QUOTA.concurrency)], env));
  const sdkAdaptive = await quotaRun(emulator, () => bareLoop(input, QUOTA.concurrency, 'adaptive', env));
  const sdkStandard = await quotaRun(emulator, () => bareLoop(input, QUOTA.concurrency, 'standard', env));
  await emulator.stop();
  const ideal = (QUOTA.rows / QUOTA.rpm) * 60_000;
  const okRows = (run) => (run.ok === undefined ? 0 : run.ok);
  report(`adaptive (same quota, not told to run-batch; ${QUOTA.concurrency} concurrency)`, {
    'run-batch wall s': sec(rb.ms),
    'SDK adaptive loop wall s': sec(sdkAdaptive.ms),
    'SDK standard loop wall s': sec(sdkStandard.ms),
    'run-batch / SDK adaptive (wall)': rb.ms / sdkAdaptive.ms,
    'run-batch pace / quota pace': ideal / rb.ms,
    'SDK adaptive pace / quota pace': ideal / sdkAdaptive.ms,
    'run-batch throttled share': rb.throttled / rb.requests,
    'SDK adaptive throttled share': sdkAdaptive.throttled / sdkAdaptive.requests,
    'SDK standard throttled share': sdkStandard.throttled / sdkStandard.requests,
    'run-batch rows ok': okRows(rb),
    'SDK adaptive rows ok': sdkAdaptive.ok,
    'SDK standard rows ok': sdkStandard.ok,
  });
}

const scenarios = { latency: latencyBound, overhead, quota: quotaGiven, adaptive, memory };
for (const [name, fn] of Object.entries(scenarios)) {
  if (only && only !== name) continue;
  await fn();
}
console.log(`\n${JSON.stringify(results)}`);
