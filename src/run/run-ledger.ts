/**
 * A run's side of the answer ledger (src/ledger): which ledger, under which key a row is asked
 * (its endpoint's namespace, the API and its fingerprint: ledger/key.ts), what entry a paid row
 * leaves, and how a row is written from an entry with no call (`reused`, `paid_usd`).
 *
 * `paid_usd` is what this results file paid: the answer's cost when this output bought it for this
 * row (a rebuild or --fresh of the same file keeps it), else 0, so `report` summed over many
 * results files gives what was really spent. `cost_usd` stays what the answer cost when bought.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { JobSpec } from '../job/spec.js';
import { ledgerKey, namespaceOf } from '../ledger/key.js';
import { Ledger, type LedgerEntry } from '../ledger/store.js';
import { realOutput } from '../output/lock.js';
import type { PlannedRow } from '../plan/plan.js';
import type { ResultRecord } from '../types.js';

/** Result fields that belong to the row, not to the answer: never kept in an entry. */
const ROW_FIELDS = new Set(['id', 'request_hash', 'reused', 'paid_usd']);

export class RunLedger {
  readonly runId = randomUUID();
  private readonly namespace: string;

  constructor(
    /** Undefined with --no-ledger: answers are still shared in memory within the run. */
    readonly ledger: Ledger | undefined,
    private readonly api: string,
    spec: Pick<JobSpec, 'emulate' | 'region' | 'endpoint'>,
    /** The results file's real path: what an entry names as the output that bought it. */
    readonly output: string,
    /** Rows answered before are written from the ledger (false: --no-reuse). */
    readonly reuse: boolean,
  ) {
    this.namespace = namespaceOf(spec);
  }

  static open(spec: JobSpec, onWarning?: (message: string) => void): RunLedger {
    const options = spec.ledger ?? { reuse: true };
    const ledger =
      options.path === undefined ? undefined : Ledger.open(options.path, onWarning ? { onWarning } : {});
    return new RunLedger(ledger, spec.api, spec, realOutput(spec.output), options.reuse);
  }

  /** For `estimate`: the ledger when there is one to ask (none is created), with reuse on. */
  static forEstimate(spec: JobSpec, onWarning?: (message: string) => void): RunLedger | undefined {
    const path = spec.ledger?.path;
    if (path === undefined || !spec.ledger.reuse || !existsSync(path)) return undefined;
    return RunLedger.open(spec, onWarning);
  }

  /**
   * A row's key is asked for up to five times on its way (read-ahead, reuse, in-run deduplication,
   * its entry, settling): hashed once per planned row, not each time. Weak: a row done is dropped.
   */
  private readonly keys = new WeakMap<PlannedRow, string>();

  keyOf(row: PlannedRow): string {
    let key = this.keys.get(row);
    if (key === undefined) {
      key = ledgerKey(this.namespace, this.api, row.fingerprint);
      this.keys.set(row, key);
    }
    return key;
  }

  /** The ok answer the ledger holds for this row's request, when reuse is on. */
  lookup(row: PlannedRow): LedgerEntry | undefined {
    if (!this.reuse || !this.ledger) return undefined;
    return this.ledger.lookup(this.keyOf(row));
  }

  /** The keys of these rows the ledger holds no ok answer for (all of them when reuse is off). */
  absentOf(rows: readonly PlannedRow[]): Set<string> {
    const keys = rows.map((row) => this.keyOf(row));
    if (!this.reuse || !this.ledger) return new Set(keys);
    const held = this.ledger.heldOf(keys);
    return new Set(keys.filter((key) => !held.has(key)));
  }

  /** The entry a paid row leaves (its record already priced and redacted). */
  entryFor(row: PlannedRow, record: ResultRecord): LedgerEntry {
    const answer: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record)) if (!ROW_FIELDS.has(field)) answer[field] = value;
    return {
      key: this.keyOf(row),
      status: record.status,
      model: record.model,
      record: answer,
      costUsd: record.cost_usd,
      createdAt: new Date().toISOString(),
      runId: this.runId,
      output: this.output,
      rowId: row.request.id,
    };
  }

  /** A row written from an entry, with no call. */
  reusedRecord(row: PlannedRow, entry: LedgerEntry): ResultRecord {
    const bought = entry.output === this.output && entry.rowId === row.request.id;
    return {
      ...(entry.record as unknown as ResultRecord),
      id: row.request.id,
      request_hash: row.fingerprint,
      reused: true,
      paid_usd: bought ? entry.costUsd : 0,
    };
  }

  close(): void {
    this.ledger?.close();
  }
}
