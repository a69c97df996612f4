/**
 * Replacing a file so that a crash or a power cut leaves either the old bytes or the new, never
 * half of them: the new bytes go to a temporary file in the same directory (a rename is atomic only
 * within one filesystem), are fsynced (else the rename can reach the disk before the data does, and
 * a power cut leaves an empty file under the old name), renamed over the path, and the directory is
 * fsynced (else the rename itself can be lost). Every tmp-and-rename write in the project goes
 * through here.
 *
 * The temporary file is `<path>.<pid>.tmp`: a run clears a crash's leftovers by that name
 * (run/prepare.ts), and two processes never write the same one.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/** Writes `data` to `path` atomically and durably. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeAtomic(path, (fd) => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  });
}

/**
 * Replaces `path` with what `fill` writes to the open temporary file (for writers that write in
 * pieces). When `fill` or a write fails, the temporary file is removed, `path` is as it was, and the
 * error is thrown.
 */
export function writeAtomic(path: string, fill: (fd: number) => void): void {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'w');
    try {
      fill(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(path);
}

/**
 * The last step for a temporary file written some other way (a stream): fsyncs it, renames it over
 * `path` and fsyncs the directory. The caller removes `temp` if this throws.
 */
export function commitTemp(temp: string, path: string): void {
  const fd = openSync(temp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(path);
}

/**
 * Makes the rename durable. Some platforms and filesystems refuse to open or fsync a directory
 * (Windows, some network mounts); the rename is still atomic there, only less sure to outlive a
 * power cut, so that refusal is not an error.
 */
function fsyncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dirname(path), 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here: see above.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
