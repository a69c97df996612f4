// Quota scenarios: a per-minute quota on the emulator with buckets of several sizes (how much
// burst a quota allows is not documented for Bedrock, so run-batch must do well on any), run-batch
// against the AWS SDK's own `adaptive` retry mode in the same run, and each against the ideal for
// its quota. Rows are sized so every shape has about PACED_S seconds of running at the quota's
// pace after the first burst has been spent.
import { bareLoop, FAKE_ENV, makeRows, runBatch, startEmulator } from './lib.mjs';

/** Seconds of quota a full bucket holds; BENCH_SHAPES=6,60 runs only those. */
export const SHAPES = process.env.BENCH_SHAPES ? process.env.BENCH_SHAPES.split(',').map(Number) : [1, 6, 60];
/** BENCH_KINDS=tokens runs only the token-quota scenarios. */
export const KINDS = process.env.BENCH_KINDS ? process.env.BENCH_KINDS.split(',') : ['requests', 'tokens'];
const CONCURRENCY = 50;
const LATENCY_MS = 100;
/** Requests quota: 20 calls a second. */
const RPM = 1200;
/**
 * Tokens quota: 1,600 tokens a second. A bench row reserves about 43 input + 512 max_tokens and
 * settles at about 43 + 42 output x 5 (the bench model, Claude Haiku 4.5, counts each output token
 * 5 times against TPM) = 255, so about 6.3 rows a second once settled.
 */
const TPM = 96_000;
const BURNDOWN = 5;
const SETTLED_PER_ROW = 255;

const env = (emulator) => ({ ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
const emulatorFlags = (limit, shape) => [
  ...limit,
  '--burst-seconds',
  String(shape),
  '--latency-ms',
  String(LATENCY_MS),
];

/** One run with the emulator's buckets full again before it; the emulator's counts for it. */
async function counted(emulator, fn) {
  await emulator.reset();
  const run = await fn();
  const stats = await emulator.stats();
  return {
    ms: run.ms,
    ok: stats.ok,
    requests: stats.requests,
    throttled: stats.throttled,
    settled: stats.inputTokens + BURNDOWN * stats.outputTokens,
  };
}

const share = (run) => run.throttled / Math.max(1, run.requests);

/** Not told the quota: run-batch and the SDK's adaptive loop on one emulator, one bucket shape. */
export async function notTold(kind, shape, paceSeconds) {
  const requests = kind === 'requests';
  const perSecond = requests ? RPM / 60 : TPM / 60 / SETTLED_PER_ROW;
  const burstRows = Math.round(perSecond * shape);
  const rows = burstRows + Math.round(perSecond * paceSeconds);
  const input = makeRows(rows, `quota-${kind}-${shape}.csv`);
  const limit = requests ? ['--rpm', String(RPM)] : ['--tpm', String(TPM)];
  const emulator = await startEmulator(emulatorFlags(limit, shape));
  const rb = await counted(emulator, () => runBatch(input, ['-c', String(CONCURRENCY)], env(emulator)));
  const sdk = await counted(emulator, () => bareLoop(input, CONCURRENCY, 'adaptive', env(emulator)));
  await emulator.stop();
  // The ideal: what is left after the full bucket's first burst, at the quota's pace.
  const ideal = (run) =>
    requests
      ? (Math.max(0, run.ok - burstRows) / perSecond) * 1000
      : (Math.max(0, run.settled - (TPM / 60) * shape) / (TPM / 60)) * 1000;
  return {
    rows,
    'run-batch wall s': rb.ms / 1000,
    'SDK adaptive wall s': sdk.ms / 1000,
    'ideal s (after the first burst)': ideal(rb) / 1000,
    'run-batch / SDK adaptive (wall)': rb.ms / sdk.ms,
    'run-batch share of ideal': ideal(rb) / rb.ms,
    'SDK adaptive share of ideal': ideal(sdk) / sdk.ms,
    'run-batch throttled share': share(rb),
    'SDK adaptive throttled share': share(sdk),
    'run-batch rows ok / SDK rows ok': `${rb.ok} / ${sdk.ok}`,
  };
}

/** Told the quota (`--rpm` or `--tpm`): its share of the ideal, and its throttles. */
export async function told(kind, shape, paceSeconds) {
  const requests = kind === 'requests';
  const perSecond = requests ? RPM / 60 : TPM / 60 / SETTLED_PER_ROW;
  // Told the quota, run-batch keeps to its pace and leaves most of the burst unused: the pace is
  // the ideal (rows / rpm; settled tokens / tpm, what the quota allows once tokens settle).
  const rows = Math.round(perSecond * paceSeconds);
  const input = makeRows(rows, `told-${kind}-${shape}.csv`);
  const limit = requests ? ['--rpm', String(RPM)] : ['--tpm', String(TPM)];
  const emulator = await startEmulator(emulatorFlags(limit, shape));
  const rb = await counted(emulator, () =>
    runBatch(input, ['-c', String(CONCURRENCY), ...limit], env(emulator)),
  );
  await emulator.stop();
  const ideal = requests ? (rb.ok / perSecond) * 1000 : (rb.settled / (TPM / 60)) * 1000;
  return {
    rows,
    'run-batch wall s': rb.ms / 1000,
    [requests ? 'ideal s (rows / rpm)' : 'ideal s (settled tokens / tpm)']: ideal / 1000,
    'run-batch share of ideal': ideal / rb.ms,
    'run-batch throttled share': share(rb),
    'rows ok': rb.ok,
  };
}

export const QUOTA = { RPM, TPM, CONCURRENCY, LATENCY_MS };
