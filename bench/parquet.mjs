// The `parquet` scenario: the same 200,000 rows as CSV in and out, and as Parquet in and out,
// against one zero-latency emulator in its own process; rows/s, CPU time and peak RSS side by side.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { FAKE_ENV, makeRows, OUT, ROOT, startEmulator, timed } from './lib.mjs';

const BIN = join(ROOT, 'bin/run-batch.js');

/** The rows of makeRows(n), as a Parquet file (id, prompt), in row groups of 10,000. */
function parquetRows(n) {
  const path = join(OUT, `rows-${n}.parquet`);
  const ids = [];
  const prompts = [];
  for (let i = 1; i <= n; i++) {
    ids.push(`R${i}`);
    prompts.push(
      `Classify ticket ${i} as billing, bug, account or other: the customer writes that the invoice for order ${i} shows a charge they do not recognise and asks for a refund.`,
    );
  }
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'id', data: ids, type: 'STRING' },
      { name: 'prompt', data: prompts, type: 'STRING' },
    ],
    rowGroupSize: 10_000,
  });
  return path;
}

function run(input, output, env) {
  rmSync(output, { force: true });
  const ledger = join(OUT, 'bench-ledger.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${ledger}${suffix}`, { force: true });
  return timed([BIN, input, '-o', output, '-c', '50'], { ...env, RUN_BATCH_LEDGER: ledger });
}

export async function parquet(report, rows = 200_000) {
  const csv = makeRows(rows);
  const pq = parquetRows(rows);
  const emulator = await startEmulator([]);
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  const a = await run(csv, join(OUT, 'results.csv'), env);
  const b = await run(pq, join(OUT, 'results.parquet'), env);
  await emulator.stop();
  for (const [name, r] of [
    ['CSV', a],
    ['Parquet', b],
  ])
    if (r.code !== 0) throw new Error(`${name} run exited ${r.code}: ${r.stderr.slice(-500)}`);
  const mb = (kb) => Math.round(kb / 102.4) / 10;
  report(`Parquet in and out against CSV (${rows} rows, zero latency, concurrency 50)`, {
    'rows/s CSV / Parquet': `${Math.round(rows / (a.ms / 1000))} / ${Math.round(rows / (b.ms / 1000))}`,
    'throughput Parquet / CSV': a.ms / b.ms,
    'CPU s CSV / Parquet': `${Math.round(a.cpuMs / 100) / 10} / ${Math.round(b.cpuMs / 100) / 10}`,
    'peak RSS MB CSV / Parquet': `${mb(a.rssKb)} / ${mb(b.rssKb)}`,
    'peak RSS Parquet / CSV': b.rssKb / a.rssKb,
  });
}
