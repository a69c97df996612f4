/**
 * `run-batch ledger import FILE...`: the ok answers of results files into the ledger, so they are
 * reused from then on. A row's key is built from its `request_hash` (fingerprint version 2) and the
 * endpoint and API it was asked through, which a results file does not record: they are given as
 * on the run (`--emulate`, or `--region` and `--endpoint`; `--api`), AWS in the environment's
 * region by default. Rows with a version 1 hash (files written before it) cannot be keyed without
 * their input: a run over that input picks them up itself (it compares version 1 hashes and takes
 * the answers into the ledger when it rebuilds the file). Answers the ledger already holds are
 * not added twice.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunBatchError } from '../errors.js';
import { formatFromPath } from '../job/resolve.js';
import { text, textList } from '../job/values.js';
import { ledgerKey, namespaceOf } from '../ledger/key.js';
import { Ledger, type LedgerEntry } from '../ledger/store.js';
import { realOutput } from '../output/lock.js';
import { localCopyOf } from '../remote/local-copy.js';
import { isS3Uri } from '../remote/uri.js';
import { readRecords } from '../run/rebuild.js';
import type { CommandIO } from './io.js';

const ROW_FIELDS = new Set(['id', 'request_hash', 'reused', 'paid_usd']);

export async function importResults(
  raw: Record<string, unknown>,
  path: string,
  io: CommandIO,
): Promise<number> {
  const files = textList('files', raw.files ?? []);
  if (files.length === 0)
    throw new RunBatchError('USAGE', 'run-batch ledger import FILE...: name the results files');
  // As a run finds them: the flag, else the environment (a run's --endpoint defaults to it too).
  const endpoint =
    raw.endpoint === undefined
      ? io.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME || undefined
      : text('endpoint', raw.endpoint);
  const namespace = namespaceOf({
    emulate: raw.emulate === true,
    region:
      raw.region === undefined
        ? io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || 'us-east-1'
        : text('region', raw.region),
    ...(endpoint === undefined ? {} : { endpoint }),
  });
  const api = raw.api === undefined ? 'converse' : text('api', raw.api);
  const ledger = Ledger.open(path, { onWarning: (m) => io.stderr(`run-batch: warning: ${m}\n`) });
  try {
    for (const name of files) {
      const format = formatFromPath(name);
      if (!format)
        throw new RunBatchError(
          'USAGE',
          `${name}: not a results file: expected .csv, .jsonl, .ndjson or .parquet`,
        );
      // An S3 object is read from a private local copy; its ledger entries name its URI.
      const remote = isS3Uri(name);
      const file = remote ? await localCopyOf(name, io.env) : resolve(io.cwd, name);
      if (!existsSync(file)) throw new RunBatchError('USAGE', `${name}: no such file`);
      const output = remote ? name : realOutput(file);
      const entries: LedgerEntry[] = [];
      let v1 = 0;
      let rows = 0;
      let results = 0;
      for await (const record of readRecords(file, format, raw['csv-safe'] !== false)) {
        rows++;
        if (record.status !== undefined && record.request_hash !== undefined) results++;
        if (record.status !== 'ok' || record.reused === true || String(record.reused) === 'true') continue;
        const hash = String(record.request_hash ?? '');
        if (hash.length !== 32) {
          v1++;
          continue;
        }
        const key = ledgerKey(namespace, api, hash);
        if (ledger.has(key) || entries.some((e) => e.key === key)) continue;
        const answer: Record<string, unknown> = {};
        for (const [field, value] of Object.entries(record))
          if (!ROW_FIELDS.has(field)) answer[field] = value;
        entries.push({
          key,
          status: 'ok',
          model: record.model,
          record: answer,
          costUsd: record.cost_usd,
          createdAt: record.finished_at || new Date().toISOString(),
          runId: 'import',
          output,
          rowId: String(record.id),
        });
      }
      // A file with rows none of which is a result (another CSV, a damaged file) is refused: "0
      // answers taken" would read as done, and the next run would pay every row again.
      if (rows > 0 && results === 0)
        throw new RunBatchError(
          'INPUT',
          `${name}: not a run-batch results file: none of its ${rows} rows has the status and request_hash columns`,
        );
      const added = ledger.recordAll(entries);
      io.stdout(
        `${name}: ${added} ${added === 1 ? 'answer' : 'answers'} taken into ${path}` +
          (v1 > 0 ? `; ${v1} rows with an older request_hash left (a run over their input keeps them)` : '') +
          '\n',
      );
    }
  } finally {
    ledger.close();
  }
  return 0;
}
