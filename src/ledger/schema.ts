/**
 * The ledger's schema and its migrations. `schema_version` holds one row: the version the file is
 * at. Each migration takes the file from version i to i+1 inside one transaction, so a file is
 * never half-migrated; a file from a newer run-batch (a version above the last known) is refused
 * rather than written with rows a newer reader would not expect.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { RunBatchError } from '../errors.js';

type Db = BetterSqlite3.Database;

/** Migration i takes version i to i+1. Append only; never edit one that has shipped. */
const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  (db) => {
    // One row per paid answer. `record` is the answer as a results row holds it (JSON, without the
    // row's id and input); no request body is kept. `status` 'error' rows are paid failures
    // (answers that failed --json-schema), kept for the spend but never reused. No index on
    // created_at: every insert would pay for it, and only `prune` reads by date (one scan).
    db.exec(`
      CREATE TABLE answers (
        seq INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
        model TEXT NOT NULL,
        record TEXT NOT NULL,
        cost_usd REAL,
        created_at TEXT NOT NULL,
        run_id TEXT NOT NULL,
        output TEXT NOT NULL,
        row_id TEXT NOT NULL
      );
      CREATE INDEX answers_key ON answers (key, status);
    `);
  },
  (db) => {
    // Every lookup asks for ok answers by key (reuse, `heldOf`): a partial index of ok keys only
    // answers them alone, is smaller, and paid failures cost their insert nothing. Each paid
    // answer lands in a random place of this index (keys are hashes), so its size is what a
    // commit writes: the (key, status) index cost about a fifth of the ledger's commit time.
    db.exec(`
      DROP INDEX answers_key;
      CREATE INDEX answers_ok_key ON answers (key) WHERE status = 'ok';
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Db, label: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const step = db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const at = row?.version ?? 0;
    if (at > SCHEMA_VERSION) {
      throw new RunBatchError(
        'CONFIG',
        `${label}: the answer ledger is at schema version ${at}, written by a newer run-batch (this one knows up to ${SCHEMA_VERSION}); ` +
          'upgrade run-batch, or use --ledger PATH for another ledger',
      );
    }
    for (let v = at; v < SCHEMA_VERSION; v++) MIGRATIONS[v]?.(db);
    if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    else if (at !== SCHEMA_VERSION) db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION);
  });
  // IMMEDIATE: two processes opening a new ledger at once must not both migrate it.
  step.immediate();
}
