/**
 * One run per results file: `<output>.lock`, created exclusively, names its holder (pid, host,
 * start time). One file, one lock: the output is taken by its real path (`realOutput`), so two runs
 * reaching one file through a symlink and its target, or two paths, share one lock. A second run while the holder lives stops with exit 4 naming it; a lock left by a
 * dead process (a crash, `kill -9`) is taken over with a warning. On Linux the holder's process
 * start time is recorded too, so a reused pid is not mistaken for the holder.
 */
import {
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
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
  return `${realOutput(output)}.lock`;
}

/**
 * The real path of a results file that may not exist yet: through every symlink (a dangling one
 * included: the file it names is the one to write), else its directory's real path and its name.
 * The lock, the journal's final rename and the summary follow it, so a symlinked results file stays
 * a symlink, to an up-to-date file.
 */
export function realOutput(path: string): string {
  try {
    if (existsSync(path)) return realpathSync(path);
    if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink())
      return realOutput(resolve(dirname(path), readlinkSync(path)));
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/**
 * @param onWarning told when a stale lock is taken over
 */
export function acquireLock(output: string, label: string, onWarning?: (message: string) => void): Lock {
  const real = realOutput(output);
  // A device (-o /dev/null) is not a results file: nothing to lock, and no lock file beside it.
  if (isDevice(real)) return { path: '', release: () => {} };
  if (!existsSync(dirname(real)))
    throw new RunBatchError(
      'OUTPUT',
      `${label}: directory ${dirname(real)} does not exist; create it, or choose another -o`,
    );
  const path = lockPath(output);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const procStart = processStart(process.pid);
  if (procStart !== undefined) me.procStart = procStart;
  for (let tries = 0; tries < 5; tries++) {
    if (create(path, me)) return { path, release: () => release(path, me) };
    const holder = read(path);
    if (holder && isAlive(holder)) {
      throw new RunBatchError(
        'LOCKED',
        `${label} is being written by another run: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt} ` +
          `(lock ${path}); wait for it to finish`,
      );
    }
    if (!holder && !unreadableForLong(path)) {
      throw new RunBatchError(
        'LOCKED',
        `${label}: the lock ${path} cannot be read; if no run is writing it, remove it`,
      );
    }
    takeOver(path, holder, onWarning);
  }
  throw new RunBatchError('LOCKED', `${label}: could not take the lock ${path}; other runs keep taking it`);
}

/** A character or block device, a FIFO or a socket: written to, never locked, summarized or renamed. */
export function isDevice(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

/**
 * Creates the lock with its content in one step: the holder is written to a private file, which is
 * then hard-linked to the lock path. The link fails if the lock exists, and a lock is never seen
 * empty or half-written.
 */
function create(path: string, me: LockHolder): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(tmp, `${JSON.stringify(me)}\n`);
    linkSync(tmp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A filesystem without hard links: an exclusive create, written at once, is the next best.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createExclusive(path, me);
    throw new RunBatchError('OUTPUT', `cannot create the lock ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    rmSync(tmp, { force: true });
  }
}

function createExclusive(path: string, me: LockHolder): boolean {
  try {
    writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new RunBatchError('OUTPUT', `cannot create the lock ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Removes a dead holder's lock. Two runs may find the same dead holder at once; only the one that
 * takes `<lock>.takeover` removes it, after checking it still names that holder, so neither can
 * remove a lock the other has just created.
 */
function takeOver(path: string, dead: LockHolder | undefined, onWarning?: (message: string) => void): void {
  const guard = `${path}.takeover`;
  if (existsSync(guard) && Date.now() - statSync(guard).mtimeMs > STALE_GUARD_MS)
    rmSync(guard, { force: true });
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch {
    return; // another run is taking over: try again
  }
  try {
    const now = read(path);
    if (JSON.stringify(now) !== JSON.stringify(dead)) return;
    onWarning?.(
      dead
        ? `took over the lock of a run that is gone (pid ${dead.pid} on ${dead.host}, started ${dead.startedAt})`
        : `took over an unreadable lock file ${path}`,
    );
    rmSync(path, { force: true });
  } finally {
    closeSync(fd);
    rmSync(guard, { force: true });
  }
}

/** A takeover guard older than this was left by a crash in the middle of a takeover. */
const STALE_GUARD_MS = 10_000;

/** An unreadable lock is only taken over once it has stayed so for a while (it was not just being made). */
function unreadableForLong(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > STALE_GUARD_MS;
  } catch {
    return true;
  }
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
