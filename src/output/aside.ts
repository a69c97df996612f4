/**
 * Where an old results file goes when a run replaces it (--fresh, or a rebuild from the answer
 * ledger): `<output>.previous`, or, when that already holds an earlier run's file,
 * `<output>.previous.<UTC time>`. An older file is never written over.
 */
import { existsSync, renameSync } from 'node:fs';

/**
 * Where an old results file is moved aside: `<output>.previous`, or, when that exists (an earlier
 * run's), `<output>.previous.<UTC time>`: an older file is never written over.
 */
export function asidePath(output: string, now = new Date()): string {
  const previous = `${output}.previous`;
  if (!existsSync(previous)) return previous;
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let path = `${previous}.${stamp}`;
  for (let n = 2; existsSync(path); n++) path = `${previous}.${stamp}-${n}`;
  return path;
}

export function moveAside(output: string): string {
  const to = asidePath(output);
  renameSync(output, to);
  return to;
}
