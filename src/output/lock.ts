/**
 * One run per results file: `<output>.lock`, created exclusively, names its holder (pid, host,
 * start time). A second run while the holder lives stops with exit 4 naming it; a lock left by a
 * dead process (a crash, `kill -9`) is taken over with a warning. On Linux the holder's process
 * start time is recorded too, so a reused pid is not mistaken for the holder.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { RunBatchError } from '../errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Linux only: the holder's start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  procStart?: string;
}

export interface Lock {
  readonly path: string;
  release(): void;
}

export function lockPath(output: string): string {
  return `${output}.lock`;
}

/**
 * @param onWarning told when a stale lock is taken over
 */
export function acquireLock(output: string, label: string, onWarning?: (message: string) => void): Lock {
  const path = lockPath(output);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const procStart = processStart(process.pid);
  if (procStart !== undefined) me.procStart = procStart;
  for (let tries = 0; tries < 3; tries++) {
    if (create(path, me)) return { path, release: () => release(path, me) };
    const holder = read(path);
    if (holder && isAlive(holder)) {
      throw new RunBatchError(
        'LOCKED',
        `${label} is being written by another run: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt} ` +
          `(lock ${path}); wait for it to finish`,
      );
    }
    // The holder is gone: take the lock over. Removing and re-creating exclusively means that of
    // two runs doing this at once, only one wins.
    onWarning?.(
      holder
        ? `took over the lock of a run that is gone (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt})`
        : `took over an unreadable lock file ${path}`,
    );
    rmSync(path, { force: true });
  }
  throw new RunBatchError('LOCKED', `${label}: could not take the lock ${path}; another run keeps taking it`);
}

function create(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new RunBatchError('OUTPUT', `cannot create the lock ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function read(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** A holder on another host cannot be checked from here, so it counts as alive. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStart(holder.pid);
  return holder.procStart === undefined || now === undefined || now === holder.procStart;
}

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may hold spaces; fields after it are space-separated.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Removes the lock only if it is still ours (a run that outlived its lock must not remove another's). */
function release(path: string, me: LockHolder): void {
  const holder = read(path);
  if (holder && holder.pid === me.pid && holder.host === me.host && holder.startedAt === me.startedAt) {
    rmSync(path, { force: true });
  }
}
