// npm run bench -- scale: a million rows end to end through the real CLI, the emulator in its own
// process at zero latency, and a 250,000-row batch-mode job (five jobs of 50,000 records). What is
// measured is the run-batch process alone: its peak RSS (process.resourceUsage().maxRSS, written
// by bench/rss-hook.cjs at exit), its CPU time and its wall time. Every run has a fresh answer
// ledger (lib.mjs runBatch), so it pays for every call it times. Not in CI: it takes minutes.
//   BENCH_ROWS=50000 npm run bench -- scale         on-demand at 10,000 and 50,000 rows
//   BENCH_BATCH_ROWS=20000 npm run bench -- scale   the batch run at 20,000 rows
//   BENCH_SCALE=ondemand|batch npm run bench -- scale   one half only
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { FAKE_ENV, OUT, runBatch, startEmulator } from './lib.mjs';

const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatch';
const round = (v) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000);

/**
 * The same rows as lib.mjs makeRows (about 200 characters of prompt each), streamed to the file:
 * a million of them joined in memory would be the bench's own memory problem. Kept between runs.
 */
async function rowsFile(n) {
  const path = join(OUT, `scale-rows-${n}.csv`);
  if (existsSync(path) && statSync(path).size > 0) return path;
  mkdirSync(OUT, { recursive: true });
  const out = createWriteStream(`${path}.tmp`);
  const write = (text) => (out.write(text) ? undefined : new Promise((done) => out.once('drain', done)));
  await write('id,prompt\n');
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    chunk += `R${i},"Classify ticket ${i} as billing, bug, account or other: the customer writes that the invoice for order ${i} shows a charge they do not recognise and asks for a refund."\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise((done) => out.end(done));
  renameSync(`${path}.tmp`, path);
  return path;
}

/** The run's summary file; the run must have finished every row ok, or the figures mean nothing. */
function checkedSummary(run, rows, what) {
  const path = join(OUT, 'results.csv.summary.json');
  const summary = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
  if (run.code !== 0 || summary?.rows?.ok !== rows) {
    console.error(run.stderr.slice(-2000));
    throw new Error(`${what}: exit ${run.code}, ${summary?.rows?.ok} of ${rows} rows ok`);
  }
  return summary;
}

async function onDemand(rows) {
  const figures = {};
  const sizes = [Math.round(rows / 5), rows];
  const peaks = [];
  for (const n of sizes) {
    const input = await rowsFile(n);
    const emulator = await startEmulator([]);
    const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
    const run = await runBatch(input, ['-c', '50'], env);
    await emulator.stop();
    checkedSummary(run, n, `on-demand ${n} rows`);
    peaks.push(run.rssKb / 1024);
    figures[`${n} rows: peak RSS MB`] = run.rssKb / 1024;
    figures[`${n} rows: rows/s (wall)`] = n / (run.ms / 1000);
    figures[`${n} rows: wall s / CPU s`] = `${round(run.ms / 1000)} / ${round(run.cpuMs / 1000)}`;
    figures[`${n} rows: CPU ms per row`] = run.cpuMs / n;
  }
  figures[`peak RSS ${sizes[1]} / ${sizes[0]}`] = peaks[1] / peaks[0];
  rmSync(join(OUT, 'results.csv'), { force: true });
  return figures;
}

async function batch(rows) {
  const input = await rowsFile(rows);
  // Steps of 10 ms, 5,000 records each: the emulator's pacing is not what is measured here.
  const emulator = await startEmulator([
    '--s3-bucket',
    'scale',
    '--batch-step-ms',
    '10',
    '--batch-records-per-step',
    '5000',
  ]);
  const env = {
    ...FAKE_ENV,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    AWS_ENDPOINT_URL_S3: emulator.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    RUN_BATCH_POLL_MS: '200',
  };
  const run = await runBatch(
    input,
    ['--mode', 'batch', '--s3', 's3://scale/run-batch/', '--role-arn', ROLE],
    env,
  );
  const stats = await emulator.stats();
  await emulator.stop();
  const summary = checkedSummary(run, rows, `batch ${rows} rows`);
  rmSync(join(OUT, 'results.csv'), { force: true });
  return {
    [`${rows} rows: peak RSS MB`]: run.rssKb / 1024,
    [`${rows} rows: wall s / CPU s`]: `${round(run.ms / 1000)} / ${round(run.cpuMs / 1000)}`,
    'jobs collected / records': `${summary.batch?.jobs ?? '?'} / ${summary.batch?.records ?? '?'}`,
    'emulator: batch jobs / on-demand calls': `${stats.batch?.jobs ?? '?'} / ${stats.requests ?? stats.calls ?? '?'}`,
  };
}

export async function scale(report) {
  const which = process.env.BENCH_SCALE;
  if (which !== 'batch') {
    const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
    report(
      `scale: on-demand, ${rows} and ${rows / 5} rows (zero latency, concurrency 50)`,
      await onDemand(rows),
    );
  }
  if (which !== 'ondemand') {
    const rows = Number(process.env.BENCH_BATCH_ROWS ?? 250_000);
    report(`scale: --mode batch, ${rows} rows (jobs of up to 50,000 records)`, await batch(rows));
  }
}
