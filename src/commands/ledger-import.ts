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
import { resolve } from 'node:path';
import { RunBatchError } from '../errors.js';
import { formatFromPath } from '../job/resolve.js';
import { text, textList } from '../job/values.js';
import { ledgerKey, namespaceOf } from '../ledger/key.js';
import { Ledger, type LedgerEntry } from '../ledger/store.js';
import { realOutput } from '../output/lock.js';
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
  const namespace = namespaceOf({
    emulate: raw.emulate === true,
    region: raw.region === undefined ? (io.env.AWS_REGION ?? 'us-east-1') : text('region', raw.region),
    ...(raw.endpoint === undefined ? {} : { endpoint: text('endpoint', raw.endpoint) }),
  });
  const api = raw.api === undefined ? 'converse' : text('api', raw.api);
  const ledger = Ledger.open(path, { onWarning: (m) => io.stderr(`run-batch: warning: ${m}\n`) });
  try {
    for (const name of files) {
      const file = resolve(io.cwd, name);
      const format = formatFromPath(file);
      if (!format)
        throw new RunBatchError('USAGE', `${name}: not a results file: expected .csv, .jsonl or .ndjson`);
      const output = realOutput(file);
      const entries: LedgerEntry[] = [];
      let v1 = 0;
      for await (const record of readRecords(file, format, raw['csv-safe'] !== false)) {
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
