/**
 * Grouped commits (src/run/commit-group.ts): a row is written only after its answer is committed;
 * a group of 16 or more commits at the end of its turn, a smaller one when its window has passed;
 * a group at its limit commits at once; a process exit commits what waits; and a ledger that
 * refuses the group still lets the rows be written.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger, type LedgerEntry } from '../../src/ledger/store.js';
import { CommitGroup } from '../../src/run/commit-group.js';

const entry = (key: string): LedgerEntry => ({
  key,
  status: 'ok',
  model: 'm',
  record: { response: key },
  costUsd: 0.001,
  createdAt: '2026-11-01T00:00:00.000Z',
  runId: 'run',
  output: '/o.csv',
  rowId: key,
});

const openLedger = () => Ledger.open(join(mkdtempSync(join(tmpdir(), 'group-')), 'ledger.db'));
const turn = () => new Promise((resolve) => setImmediate(resolve));
/** Longer than the group's window: a timer set later fires later. */
const windowPassed = () => new Promise((resolve) => setTimeout(resolve, 25));

/** Counts the ledger's transactions by wrapping recordAll (the group's only way in). */
function counted(ledger: Ledger): { commits: number[] } {
  const seen = { commits: [] as number[] };
  const recordAll = ledger.recordAll.bind(ledger);
  ledger.recordAll = (entries) => {
    const list = [...entries];
    seen.commits.push(list.length);
    return recordAll(list);
  };
  return seen;
}

describe('grouped ledger commits', () => {
  it('writes each row only once its answer is in the ledger; a small group waits for its window', async () => {
    const ledger = openLedger();
    const seen = counted(ledger);
    const group = new CommitGroup(ledger, (error) => {
      throw error;
    });
    const foundWhenWritten: boolean[] = [];
    for (const key of ['k1-a', 'k1-b', 'k1-c'])
      group.add(entry(key), () => foundWhenWritten.push(ledger.has(key)));
    group.add(undefined, () => foundWhenWritten.push(true)); // a row that paid nothing queues behind
    expect(foundWhenWritten).toEqual([]);
    expect(group.pending).toBe(true);
    await turn();
    // Three answers are not worth a commit of their own yet: more may come within the window.
    expect(foundWhenWritten).toEqual([]);
    for (const key of ['k1-d', 'k1-e']) group.add(entry(key), () => foundWhenWritten.push(ledger.has(key)));
    await windowPassed();
    expect(foundWhenWritten).toEqual([true, true, true, true, true, true]);
    expect(seen.commits).toEqual([5]);
    expect(group.pending).toBe(false);
    ledger.close();
  });

  it('commits a group of 16 at the end of the turn that filled it', async () => {
    const ledger = openLedger();
    const seen = counted(ledger);
    const group = new CommitGroup(ledger, () => {});
    let written = 0;
    for (let i = 0; i < 16; i++) group.add(entry(`k1-t${i}`), () => written++);
    expect(written).toBe(0);
    await turn();
    expect(seen.commits).toEqual([16]);
    expect(written).toBe(16);
    ledger.close();
  });

  it('commits at once when the group reaches its limit (--concurrency on-demand)', () => {
    const ledger = openLedger();
    const seen = counted(ledger);
    const group = new CommitGroup(ledger, () => {}, 4);
    let written = 0;
    for (let i = 0; i < 9; i++) group.add(entry(`k1-l${i}`), () => written++);
    expect(seen.commits).toEqual([4, 4]);
    expect(written).toBe(8);
    group.flush();
    expect(seen.commits).toEqual([4, 4, 1]);
    expect(written).toBe(9);
    ledger.close();
  });

  it('commits a full group at once, without waiting for the turn to end', () => {
    const ledger = openLedger();
    const seen = counted(ledger);
    const group = new CommitGroup(ledger, () => {});
    let written = 0;
    for (let i = 0; i < 1001; i++) group.add(entry(`k1-${i}`), () => written++);
    expect(seen.commits).toEqual([1000]);
    expect(written).toBe(1000);
    group.flush();
    expect(seen.commits).toEqual([1000, 1]);
    expect(ledger.stats().entries).toBe(1001);
    ledger.close();
  });

  it('hooks process exit only while answers wait, and the hook commits them', () => {
    const ledger = openLedger();
    const group = new CommitGroup(ledger, () => {});
    const before = process.listenerCount('exit');
    group.add(entry('k1-exit'), () => {});
    expect(process.listenerCount('exit')).toBe(before + 1);
    const hook = process.listeners('exit').at(-1) as (code: number) => void;
    hook(0);
    expect(ledger.has('k1-exit')).toBe(true);
    expect(process.listenerCount('exit')).toBe(before);
    ledger.close();
  });

  it('still writes the rows when the ledger refuses the group, and says so once', () => {
    const ledger = openLedger();
    ledger.close(); // a closed database throws on every write
    const failures: string[] = [];
    const group = new CommitGroup(ledger, (error) => failures.push(error.message));
    let written = 0;
    group.add(entry('k1-x'), () => written++);
    group.add(entry('k1-y'), () => written++);
    group.flush();
    expect(written).toBe(2);
    expect(failures).toHaveLength(1);
  });
});
