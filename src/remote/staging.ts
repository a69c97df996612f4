/**
 * Where an S3 output is written locally while the run goes: a per-user cache directory keyed by
 * the URI (`$XDG_CACHE_HOME/run-batch/s3/<digest>/<name>`, else `~/.cache/...`), mode 0700. The
 * run journals there as to any results file; S3 gets checkpoints as it goes and the file at the end.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { uriDigest } from './uri.js';

export function stagingPath(uri: string, env: NodeJS.ProcessEnv, cwd: string): string {
  const cache = env.XDG_CACHE_HOME ? resolve(cwd, env.XDG_CACHE_HOME) : join(env.HOME || homedir(), '.cache');
  const dir = join(cache, 'run-batch', 's3', uriDigest(uri));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, uri.slice(uri.lastIndexOf('/') + 1));
}
