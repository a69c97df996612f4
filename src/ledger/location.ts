/**
 * Where the answer ledger lives: `--ledger PATH`, else `RUN_BATCH_LEDGER`, else
 * `$XDG_DATA_HOME/run-batch/ledger.db`, else `~/.local/share/run-batch/ledger.db`. One per user by
 * default, so every results file of that user's runs shares it. And which kind of filesystem holds
 * it: on NFS, EFS, SMB and the like, SQLite's WAL mode is unsafe (it needs shared memory between
 * the processes that use the file), so the ledger falls back to a rollback journal there.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export function defaultLedgerPath(env: NodeJS.ProcessEnv): string {
  if (env.RUN_BATCH_LEDGER) return resolve(env.RUN_BATCH_LEDGER);
  const base = env.XDG_DATA_HOME ? env.XDG_DATA_HOME : join(env.HOME || homedir(), '.local', 'share');
  return join(resolve(base), 'run-batch', 'ledger.db');
}

/** Filesystem types where WAL's shared-memory index is not safe across machines. */
const NETWORK_FS = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'efs', 'fuse.sshfs', '9p', 'afs', 'ceph', 'glusterfs', 'fuse.glusterfs', 'lustre', 'gpfs']);

/**
 * The filesystem type of the directory that holds `path`, from /proc/mounts (Linux): the mount
 * point that is the longest prefix of the directory. Undefined where /proc/mounts is absent.
 */
export function filesystemOf(path: string, mounts?: string): string | undefined {
  let table = mounts;
  if (table === undefined) {
    try {
      table = readFileSync('/proc/mounts', 'utf8');
    } catch {
      return undefined;
    }
  }
  const dir = dirname(resolve(path));
  let best: { point: string; type: string } | undefined;
  for (const line of table.split('\n')) {
    const [, rawPoint, type] = line.split(' ');
    if (!rawPoint || !type) continue;
    // /proc/mounts escapes spaces and the like as octal (\040).
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    const inside = point === '/' || dir === point || dir.startsWith(`${point}/`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

export function isNetworkFilesystem(type: string | undefined): boolean {
  return type !== undefined && (NETWORK_FS.has(type) || type.startsWith('nfs'));
}
