/**
 * The ledger's store on its own: file modes, what survives a reopen, the first ok answer is the
 * one reused, paid failures kept but never reused, prune as the only way out, a newer schema
 * refused, and which filesystems count as network ones (WAL is unsafe there).
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultLedgerPath } from '../../src/job/ledger-options.js';
import { ledgerKey, namespaceOf } from '../../src/ledger/key.js';
import { filesystemOf, isNetworkFilesystem } from '../../src/ledger/location.js';
import { Ledger, type LedgerEntry } from '../../src/ledger/store.js';

const entry = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  key: 'k1-a',
  status: 'ok',
  model: 'm',
  record: { response: 'first' },
  costUsd: 0.001,
  createdAt: '2026-11-01T00:00:00.000Z',
  runId: 'run',
  output: '/o.csv',
  rowId: 'r1',
  ...over,
});

describe('the ledger store', () => {
  it('heldOf answers which keys have an ok answer, across query chunks, errors left out', () => {
    const ledger = Ledger.open(join(mkdtempSync(join(tmpdir(), 'ledger-')), 'ledger.db'));
    const keys = Array.from({ length: 1203 }, (_, i) => `k1-${i}`);
    ledger.recordAll(keys.filter((_, i) => i % 3 === 0).map((key) => entry({ key })));
    ledger.record(entry({ key: 'k1-1', status: 'error' })); // a paid failure is never an answer
    const held = ledger.heldOf(keys);
    expect(held.size).toBe(401);
    expect([...held].every((key) => Number(key.slice(3)) % 3 === 0)).toBe(true);
    expect(held.has('k1-1')).toBe(false);
    expect(ledger.heldOf([]).size).toBe(0);
    ledger.close();
  });

  it('creates its directory 0700 and file 0600, in WAL mode, and keeps entries across a reopen', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'deep', 'er');
    const path = join(dir, 'ledger.db');
    const ledger = Ledger.open(path);
    ledger.record(entry());
    ledger.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = Ledger.open(path);
    expect(again.lookup('k1-a')?.record).toEqual({ response: 'first' });
    again.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('reuses the first ok answer, never a paid failure; prune removes by date', () => {
    const ledger = Ledger.open(join(mkdtempSync(join(tmpdir(), 'ledger-')), 'l.db'));
    ledger.record(entry({ key: 'k1-b', status: 'error', record: { response: 'bad' } }));
    expect(ledger.lookup('k1-b')).toBeUndefined();
    ledger.record(entry({ key: 'k1-b', record: { response: 'one' } }));
    ledger.record(entry({ key: 'k1-b', record: { response: 'two' }, createdAt: '2026-12-01T00:00:00.000Z' }));
    expect(ledger.lookup('k1-b')?.record).toEqual({ response: 'one' });
    expect(ledger.stats()).toMatchObject({ entries: 3, ok: 2, errors: 1 });
    expect(ledger.prune(new Date('2026-11-15T00:00:00Z'))).toBe(2);
    expect(ledger.lookup('k1-b')?.record).toEqual({ response: 'two' });
    ledger.close();
  });

  it('migrates a version 1 ledger (the (key, status) index) to version 2 with every entry kept', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'l.db');
    // A version 1 file as run-batch wrote it before the partial index.
    const v1 = new Database(path);
    v1.exec(`
      CREATE TABLE schema_version (version INTEGER NOT NULL);
      INSERT INTO schema_version (version) VALUES (1);
      CREATE TABLE answers (seq INTEGER PRIMARY KEY, key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'error')), model TEXT NOT NULL, record TEXT NOT NULL,
        cost_usd REAL, created_at TEXT NOT NULL, run_id TEXT NOT NULL, output TEXT NOT NULL, row_id TEXT NOT NULL);
      CREATE INDEX answers_key ON answers (key, status);
      INSERT INTO answers (key, status, model, record, cost_usd, created_at, run_id, output, row_id) VALUES
        ('k1-old', 'error', 'm', '{"response":"bad"}', 0.1, '2026-11-01T00:00:00.000Z', 'r', '/o.csv', 'r1'),
        ('k1-old', 'ok', 'm', '{"response":"kept"}', 0.2, '2026-11-01T00:00:01.000Z', 'r', '/o.csv', 'r1');
    `);
    v1.close();
    const ledger = Ledger.open(path);
    expect(ledger.lookup('k1-old')?.record).toEqual({ response: 'kept' });
    expect([...ledger.heldOf(['k1-old', 'k1-none'])]).toEqual(['k1-old']);
    expect(ledger.stats()).toMatchObject({ entries: 2, ok: 1, errors: 1 });
    ledger.close();
    const db = new Database(path);
    expect(db.prepare('SELECT version FROM schema_version').pluck().all()).toEqual([2]);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
    expect(indexes).toEqual(['answers_ok_key']);
    db.close();
  });

  it('refuses a ledger written by a newer run-batch', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'l.db');
    Ledger.open(path).close();
    const db = new Database(path);
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    expect(() => Ledger.open(path)).toThrow(/schema version 99, written by a newer run-batch/);
  });

  it.each([
    ['/mnt/efs/ledger.db', 'nfs4', true],
    ['/home/u/.local/share/run-batch/ledger.db', 'ext4', false],
    ['/mnt/share space/l.db', 'cifs', true],
  ])('%s on %s: network %s', (path, _type, network) => {
    const mounts = [
      '/dev/sda1 / ext4 rw 0 0',
      '127.0.0.1:/ /mnt/efs nfs4 rw 0 0',
      '//srv/x /mnt/share\\040space cifs rw 0 0',
    ].join('\n');
    expect(isNetworkFilesystem(filesystemOf(path, mounts))).toBe(network);
  });

  it('lives by --ledger, RUN_BATCH_LEDGER, XDG_DATA_HOME, then ~/.local/share', () => {
    const saved = [process.env.RUN_BATCH_LEDGER, process.env.XDG_DATA_HOME];
    delete process.env.RUN_BATCH_LEDGER;
    delete process.env.XDG_DATA_HOME;
    expect(defaultLedgerPath({ RUN_BATCH_LEDGER: 'x.db' }, '/w')).toBe('/w/x.db');
    expect(defaultLedgerPath({ XDG_DATA_HOME: '/d' }, '/w')).toBe('/d/run-batch/ledger.db');
    expect(defaultLedgerPath({ HOME: '/h' }, '/w')).toBe('/h/.local/share/run-batch/ledger.db');
    if (saved[0] !== undefined) process.env.RUN_BATCH_LEDGER = saved[0];
    if (saved[1] !== undefined) process.env.XDG_DATA_HOME = saved[1];
  });

  it('keys by endpoint namespace and API: an emulator answer never serves AWS', () => {
    const fp = '0'.repeat(32);
    const aws = ledgerKey(namespaceOf({ emulate: false, region: 'us-east-1' }), 'converse', fp);
    const emu = ledgerKey(namespaceOf({ emulate: true, region: 'us-east-1' }), 'converse', fp);
    const port1 = namespaceOf({ emulate: false, region: 'us-east-1', endpoint: 'http://127.0.0.1:1/' });
    const port2 = namespaceOf({ emulate: false, region: 'us-east-1', endpoint: 'http://127.0.0.1:2' });
    expect(new Set([aws, emu, ledgerKey(port1, 'converse', fp), ledgerKey(port2, 'converse', fp)]).size).toBe(
      4,
    );
    expect(ledgerKey(port1, 'invoke', fp)).not.toBe(ledgerKey(port1, 'converse', fp));
    expect(aws).toMatch(/^k1-[0-9a-f]{40}$/);
  });
});
