/**
 * The input rows of the model-based tests (test/fault/*-model.test.ts, parquet-model): what an
 * operator does to them between runs (edit one, delete one, add some), the CSV they are written as,
 * and how many entries the answer ledger holds after a run. One copy, so every model test edits
 * rows the same way and counts the ledger the same way.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface OperatorRows {
  rows: Array<{ id: string; prompt: string }>;
  /** The next number for a new row's id or an edited prompt: never one used before. */
  next: number;
}

/** The `count` first rows: r1 "Question 1", r2 "Question 2", ... */
export function firstRows(count: number): OperatorRows {
  return {
    rows: Array.from({ length: count }, (_, i) => ({ id: `r${i + 1}`, prompt: `Question ${i + 1}` })),
    next: count + 1,
  };
}

/** A new prompt for the row at `at` (modulo the row count). */
export function editRow(w: OperatorRows, at: number): void {
  const row = w.rows[at % Math.max(1, w.rows.length)];
  if (row) row.prompt = `Edited question ${w.next++}`;
}

/** Removes the row at `at` (modulo the row count), never the last one. */
export function deleteRow(w: OperatorRows, at: number): void {
  if (w.rows.length > 1) w.rows.splice(at % w.rows.length, 1);
}

/** Appends `count` new rows. */
export function addRows(w: OperatorRows, count = 1): void {
  for (let i = 0; i < count; i++) w.rows.push({ id: `r${w.next}`, prompt: `Question ${w.next++}` });
}

/** Writes the rows as a CSV (id, prompt; and a `source` column the prompt does not use). */
export function writeCsvRows(path: string, w: OperatorRows, column = false): void {
  const header = column ? 'id,prompt,source' : 'id,prompt';
  const lines = w.rows.map((r) => `${r.id},${r.prompt}${column ? ',web' : ''}`);
  writeFileSync(path, `${header}\n${lines.join('\n')}\n`);
}

/** The answer ledger's entries (0 when no run has made it yet). */
export function ledgerEntries(path: string): number {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM answers').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}
