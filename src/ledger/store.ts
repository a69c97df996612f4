/**
 * The answer ledger: every paid answer, kept by the request that bought it (key.ts), independent of
 * any results file, so a results file can always be rebuilt from the input and the ledger.
 *
 * Why SQLite through better-sqlite3 (12): it is maintained, runs on Node 20 to 25 and builds from
 * source where its prebuilt binary cannot be fetched; Node 20, which run-batch supports, has no
 * `node:sqlite` (it came in Node 22.5, behind a flag until 23.4). Calls are synchronous, which is
 * what "committed before it is written anywhere else" wants: `record` returns once the row is in
 * the database.
 *
 * Durability: WAL with `synchronous=NORMAL`. A commit is in the WAL file (the page cache) when
 * `record` returns, so it survives the process being killed at any moment (kill -9, a crash, an
 * OOM kill); it does not survive a power cut or a kernel panic before the OS writes the page cache
 * back (the last second or so of answers can be lost then, as with the results file). On a network
 * filesystem (NFS, EFS, SMB), where WAL is unsafe, a rollback journal is used instead (with a
 * warning) and `synchronous=FULL`.
 *
 * Concurrency: several processes (runs on other results files, `ledger stats`) may use one ledger
 * at once: SQLite locks the file, and a writer waits up to BUSY_TIMEOUT_MS for another's commit.
 * Files are created mode 0600 in a directory of mode 0700: answers are the user's data.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { RunBatchError } from '../errors.js';
import { filesystemOf, isNetworkFilesystem } from './location.js';
import { migrate } from './schema.js';

// better-sqlite3 is CommonJS with a native addon: required, not bundled (scripts/bundle.mjs).
const require = createRequire(import.meta.url);

/** Keys asked in one heldOf query (SQLite takes up to 32,766 parameters). */
const HELD_CHUNK = 500;

/** How long a writer waits for another process's commit before failing. */
const BUSY_TIMEOUT_MS = 30_000;

export interface LedgerEntry {
  /** The request's key (key.ts). */
  key: string;
  status: 'ok' | 'error';
  model: string;
  /** The answer's result fields as a results row holds them, without the row's id and input. */
  record: Record<string, unknown>;
  costUsd: number | null;
  /** ISO 8601 UTC: when it was paid. */
  createdAt: string;
  /** The run that paid it. */
  runId: string;
  /** The results file (real path, or S3 URI) that bought it. */
  output: string;
  /** The row id it was bought for in that output. */
  rowId: string;
}

export interface LedgerStats {
  path: string;
  bytes: number;
  entries: number;
  ok: number;
  errors: number;
  byModel: Array<{ model: string; entries: number; costUsd: number }>;
  byDay: Array<{ day: string; entries: number; costUsd: number }>;
}

interface Row {
  key: string;
  status: 'ok' | 'error';
  model: string;
  record: string;
  cost_usd: number | null;
  created_at: string;
  run_id: string;
  output: string;
  row_id: string;
}

export interface OpenOptions {
  onWarning?: (message: string) => void;
  /** Open an existing ledger only (ledger stats/export): a missing one is an error. */
  mustExist?: boolean;
}

export class Ledger {
  private readonly insert: BetterSqlite3.Statement;
  private readonly findOk: BetterSqlite3.Statement;
  /** recordAll's transaction, made once: a run commits thousands of groups. */
  private readonly inOneTransaction: BetterSqlite3.Transaction<(entries: Iterable<LedgerEntry>) => number>;
  /** heldOf's statements, by how many keys they take. */
  private readonly held = new Map<number, BetterSqlite3.Statement>();

  private constructor(
    readonly path: string,
    private readonly db: BetterSqlite3.Database,
  ) {
    // Positional parameters: binding from an object by name cost a tenth of an insert.
    this.insert = db.prepare(
      'INSERT INTO answers (key, status, model, record, cost_usd, created_at, run_id, output, row_id) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // The first ok answer bought for a key is the one every reuse gives: reruns stay stable.
    this.findOk = db.prepare("SELECT * FROM answers WHERE key = ? AND status = 'ok' ORDER BY seq LIMIT 1");
    this.inOneTransaction = db.transaction((entries: Iterable<LedgerEntry>) => {
      let n = 0;
      for (const entry of entries) {
        this.record(entry);
        n++;
      }
      return n;
    });
  }

  static open(path: string, options: OpenOptions = {}): Ledger {
    if (options.mustExist && !existsSync(path))
      throw new RunBatchError('USAGE', `no answer ledger at ${path} (--ledger PATH, RUN_BATCH_LEDGER)`);
    const network = isNetworkFilesystem(filesystemOf(path));
    let db: BetterSqlite3.Database;
    try {
      prepareFile(path);
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      if (network) {
        options.onWarning?.(
          `the answer ledger ${path} is on a network filesystem, where SQLite's WAL mode is unsafe: using a rollback journal (slower; --ledger PATH on a local disk is better)`,
        );
        db.pragma('journal_mode = DELETE');
        db.pragma('synchronous = FULL');
      } else {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('wal_autocheckpoint = 16384');
      }
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      migrate(db, path);
    } catch (error) {
      if (error instanceof RunBatchError) throw error;
      throw new RunBatchError(
        'CONFIG',
        `cannot open the answer ledger ${path}: ${(error as Error).message} (--ledger PATH for another, --no-ledger for none)`,
        { cause: error },
      );
    }
    return new Ledger(path, db);
  }

  /** Commits one paid answer; returns once it is in the database (see the header for what survives). */
  record(entry: LedgerEntry): void {
    this.insert.run(
      entry.key,
      entry.status,
      entry.model,
      JSON.stringify(entry.record),
      entry.costUsd,
      entry.createdAt,
      entry.runId,
      entry.output,
      entry.rowId,
    );
  }

  /** Several entries in one transaction (ledger import). */
  recordAll(entries: Iterable<LedgerEntry>): number {
    return this.inOneTransaction(entries) as number;
  }

  /** The ok answer for a key, if one was bought. */
  lookup(key: string): LedgerEntry | undefined {
    const row = this.findOk.get(key) as Row | undefined;
    return row && toEntry(row);
  }

  /** Which of these keys have an ok answer: one query for many keys. */
  heldOf(keys: readonly string[]): Set<string> {
    const held = new Set<string>();
    for (let i = 0; i < keys.length; i += HELD_CHUNK) {
      const some = keys.slice(i, i + HELD_CHUNK);
      for (const key of this.heldStatement(some.length)
        .pluck()
        .all(...some) as string[])
        held.add(key);
    }
    return held;
  }

  private heldStatement(n: number): BetterSqlite3.Statement {
    let statement = this.held.get(n);
    if (statement === undefined) {
      statement = this.db.prepare(
        `SELECT DISTINCT key FROM answers WHERE status = 'ok' AND key IN (${Array(n).fill('?').join(',')})`,
      );
      this.held.set(n, statement);
    }
    return statement;
  }

  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /** Every entry, oldest first (ledger export). */
  *entries(): IterableIterator<LedgerEntry> {
    for (const row of this.db.prepare('SELECT * FROM answers ORDER BY seq').iterate() as Iterable<Row>)
      yield toEntry(row);
  }

  /**
   * The entries after `seq` bought for one output, oldest first, each with its seq: what an S3
   * output's checkpoint (src/remote/checkpoint.ts) sends since its last one. A range of the primary
   * key, so a checkpoint reads only what is new.
   */
  entriesAfter(seq: number, output: string): Array<LedgerEntry & { seq: number }> {
    const rows = this.db
      .prepare('SELECT * FROM answers WHERE seq > ? AND output = ? ORDER BY seq')
      .all(seq, output) as Array<Row & { seq: number }>;
    return rows.map((row) => ({ ...toEntry(row), seq: row.seq }));
  }

  /** The newest entry's seq (0 in an empty ledger). */
  lastSeq(): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) FROM answers').pluck().get() as number) ?? 0;
  }

  /** Removes the entries paid before `before`; returns how many. The only way an answer leaves. */
  prune(before: Date): number {
    const removed = this.db
      .prepare('DELETE FROM answers WHERE created_at < ?')
      .run(before.toISOString()).changes;
    if (removed > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return removed;
  }

  stats(): LedgerStats {
    const count = this.db.prepare("SELECT count(*) AS n, sum(status = 'ok') AS ok FROM answers").get() as {
      n: number;
      ok: number | null;
    };
    const byModel = this.db
      .prepare(
        'SELECT model, count(*) AS entries, coalesce(sum(cost_usd), 0) AS costUsd FROM answers GROUP BY model ORDER BY model',
      )
      .all() as LedgerStats['byModel'];
    const byDay = this.db
      .prepare(
        'SELECT substr(created_at, 1, 10) AS day, count(*) AS entries, coalesce(sum(cost_usd), 0) AS costUsd FROM answers GROUP BY day ORDER BY day',
      )
      .all() as LedgerStats['byDay'];
    return {
      path: this.path,
      bytes: sizeOf(this.path) + sizeOf(`${this.path}-wal`),
      entries: count.n,
      ok: count.ok ?? 0,
      errors: count.n - (count.ok ?? 0),
      byModel,
      byDay,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toEntry(row: Row): LedgerEntry {
  return {
    key: row.key,
    status: row.status,
    model: row.model,
    record: JSON.parse(row.record) as Record<string, unknown>,
    costUsd: row.cost_usd,
    createdAt: row.created_at,
    runId: row.run_id,
    output: row.output,
    rowId: row.row_id,
  };
}

/** The directory (0700) and an empty file (0600) made before SQLite opens it with its own mode. */
function prepareFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) {
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
