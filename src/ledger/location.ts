/**
 * Which kind of filesystem holds the answer ledger (where it lives by default is decided in
 * job/ledger-options.ts): on NFS, EFS, SMB and the like, SQLite's WAL mode is unsafe (it needs shared memory between
 * the processes that use the file), so the ledger falls back to a rollback journal there.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Filesystem types where WAL's shared-memory index is not safe across machines. */
const NETWORK_FS = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'efs',
  'fuse.sshfs',
  '9p',
  'afs',
  'ceph',
  'glusterfs',
  'fuse.glusterfs',
  'lustre',
  'gpfs',
]);

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
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_, o: string) =>
      String.fromCharCode(Number.parseInt(o, 8)),
    );
    const inside = point === '/' || dir === point || dir.startsWith(`${point}/`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

export function isNetworkFilesystem(type: string | undefined): boolean {
  return type !== undefined && (NETWORK_FS.has(type) || type.startsWith('nfs'));
}
