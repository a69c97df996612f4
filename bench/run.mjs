// npm run bench: run-batch against the bare p-limit + SDK loop, side by side in one invocation,
// each scenario's figures as ratios against the baseline measured in the same run.
//   npm run bench                  every scenario (about ten minutes)
//   npm run bench -- quota         one group: latency, overhead, memory, quota, told, shared, attachments,
//                                  parquet (200,000 rows as Parquet in and out against CSV; BENCH_ROWS=n)
//   BENCH_REPEAT=6 npm run bench -- quota   each not-told scenario 6 times: median and range
//   npm run bench -- --quick       one small quota scenario in a few seconds (BENCH_QUICK=1 too):
//                                  the CI smoke, which checks that it runs, never how fast

import { attachments } from './attachments.mjs';
import { bareLoop, FAKE_ENV, makeRows, runBatch, startEmulator } from './lib.mjs';
import { parquet } from './parquet.mjs';
import { KINDS, notTold, SHAPES, told } from './quota.mjs';
import { scale } from './scale.mjs';
import { sharedLimiter } from './shared.mjs';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
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
 * The answer ledger's cost: the same zero-latency rows with the ledger and with --no-ledger,
 * interleaved (best of 5 at 20,000 rows, of 3 at 200,000; the median too), then a rerun of the same rows into
 * a new results file where every row is reused from the ledger; peak RSS and CPU time of each.
 */
async function ledger() {
  const figures = {};
  for (const rows of [20000, 200000]) {
    const input = makeRows(rows);
    const emulator = await startEmulator([]);
    const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
    const on = [];
    const off = [];
    // Off, on, on, off...: a machine that slows or quickens during the runs hits both sides alike.
    for (let i = 0; i < (rows > 20000 ? 3 : 5); i++) {
      const sides = [
        () => runBatch(input, ['-c', '50', '--no-ledger'], env).then((r) => off.push(r)),
        () => runBatch(input, ['-c', '50'], env).then((r) => on.push(r)),
      ];
      for (const side of i % 2 === 0 ? sides : sides.reverse()) await side();
    }
    const reused = await runBatch(input, ['-c', '50'], env, { keepLedger: true });
    await emulator.stop();
    const best = (list) => list.reduce((a, b) => (b.ms < a.ms ? b : a));
    const [b, a] = [best(on), best(off)];
    figures[`${rows} rows/s, ledger on`] = rows / sec(b.ms);
    figures[`${rows} rows/s, --no-ledger`] = rows / sec(a.ms);
    figures[`${rows} throughput on / off`] = a.ms / b.ms;
    // The median pair too: on a shared machine one lucky run can decide a best-of.
    const median = (list, of) => [...list].sort((x, y) => x[of] - y[of])[Math.floor(list.length / 2)][of];
    figures[`${rows} throughput on / off, medians`] = median(off, 'ms') / median(on, 'ms');
    // CPU time (user + system) of the run-batch process: the run is CPU-bound at zero latency, and
    // CPU time is steady where wall time swings with whatever else shares the machine.
    const cpu = (list) => Math.min(...list.map((r) => r.cpuMs));
    figures[`${rows} CPU s on / off`] = `${round(cpu(on) / 1000)} / ${round(cpu(off) / 1000)}`;
    figures[`${rows} CPU-bound throughput on / off`] = cpu(off) / cpu(on);
    // Peak RSS swings by tens of MB between identical runs (when the heap happens to grow): the
    // median run of each side, not the fastest's.
    figures[`${rows} peak RSS MB on / off, medians`] =
      `${round(median(on, 'rssKb') / 1024)} / ${round(median(off, 'rssKb') / 1024)}`;
    figures[`${rows} peak RSS on / off, medians`] = median(on, 'rssKb') / median(off, 'rssKb');
    // Every run, in the order run: the spread says how far one figure can be trusted.
    const each = (list) =>
      list.map((r) => `${Math.round(rows / sec(r.ms))} rows/s ${round(r.rssKb / 1024)} MB`).join(', ');
    figures[`${rows} each run, on`] = each(on);
    figures[`${rows} each run, off`] = each(off);
    figures[`${rows} rows/s, every row reused`] = rows / sec(reused.ms);
    figures[`${rows} reused / paid rows/s`] = b.ms / reused.ms;
  }
  report('answer ledger (zero latency, concurrency 50)', figures);
}

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

/**
 * Not told the quota, on request and token quotas, on every bucket shape. BENCH_REPEAT=N runs each
 * scenario N times side by side and adds the median and range of the N ratios: where both sides
 * run at the bucket's bound, one pair's ratio moves by about 2% with the machine.
 */
async function quota() {
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
  for (const kind of KINDS)
    for (const shape of SHAPES) {
      const runs = [];
      for (let i = 0; i < repeat; i++) runs.push(await notTold(kind, shape, 20));
      const figures = runs.at(-1);
      if (repeat > 1) {
        const ratios = runs.map((r) => r['run-batch / SDK adaptive (wall)']).sort((a, b) => a - b);
        const throttles = (key) => runs.map((r) => Math.round(r[key] * 1000) / 10).join(' ');
        figures[`run-batch / SDK, median of ${repeat}`] = ratios[Math.floor(repeat / 2)];
        figures[`run-batch / SDK, range of ${repeat}`] = `${round(ratios[0])} to ${round(ratios.at(-1))}`;
        figures['run-batch throttled % (each run)'] = throttles('run-batch throttled share');
        figures['SDK adaptive throttled % (each run)'] = throttles('SDK adaptive throttled share');
      }
      report(`not told, ${kind} quota, ${shape} s bucket (concurrency 50, 100 ms)`, figures);
    }
}

/** Told the quota: --tpm and --rpm, on every bucket shape. */
async function toldQuota() {
  for (const kind of KINDS)
    for (const shape of SHAPES)
      report(`told --${kind === 'tokens' ? 'tpm' : 'rpm'}, ${shape} s bucket`, await told(kind, shape, 20));
}

async function shared() {
  await sharedLimiter(report);
}

if (quick) {
  const figures = await notTold('requests', 1, 3);
  report('quick: not told, requests quota, 1 s bucket', figures);
  // A smoke: the scenario ran and both sides finished their rows; how fast is not checked.
  const [rb, sdk] = String(figures['run-batch rows ok / SDK rows ok']).split(' / ').map(Number);
  if (!(rb === figures.rows && sdk > 0)) {
    console.error(`bench smoke: run-batch finished ${rb} of ${figures.rows} rows, the SDK loop ${sdk}`);
    process.exit(1);
  }
} else {
  const scenarios = {
    latency: latencyBound,
    overhead,
    memory,
    ledger,
    quota,
    told: toldQuota,
    shared,
    attachments: () => attachments(report),
    parquet: () => parquet(report, process.env.BENCH_ROWS ? Number(process.env.BENCH_ROWS) : undefined),
    scale: () => only === 'scale' && scale(report), // minutes: only when named
  };
  for (const [name, fn] of Object.entries(scenarios)) {
    if (only && only !== name) continue;
    await fn();
  }
}
console.log(`\n${JSON.stringify(results)}`);
