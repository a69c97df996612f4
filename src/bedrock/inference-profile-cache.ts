/**
 * Resolved inference profiles kept on disk, so reruns, shards and resumes of a job do not each ask
 * the control plane: `$XDG_CACHE_HOME/run-batch/inference-profiles.json` (else
 * `~/.cache/run-batch/...`), one entry per endpoint, region and ARN.
 *
 * TTL: one hour. What a profile's ARN stands for cannot change (Bedrock has no operation to change
 * an application profile's models, and a deleted profile's ARN is never given to another: ids are
 * random), so the price is safe for longer; the tags can change (TagResource), and the results
 * should carry this hour's tags, not last week's. A nightly job thus asks once a night; a morning
 * of reruns asks once an hour. An ARN not in the file, or past its hour, is asked again (a miss),
 * and an unknown ARN is never cached, so a profile made after a failed run is found at once.
 *
 * The cache is a convenience: a file that cannot be read or written is ignored, never an error.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import type { ResolvedProfile } from './inference-profile.js';

export const PROFILE_TTL_MS = 60 * 60 * 1000;

interface Entry {
  at: number;
  profile: ResolvedProfile;
}

export function profileCachePath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'run-batch', 'inference-profiles.json');
}

export class ProfileCache {
  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): ResolvedProfile | undefined {
    const entry = this.read()[key];
    if (!entry || this.now() - entry.at >= PROFILE_TTL_MS || entry.at > this.now()) return undefined;
    return entry.profile;
  }

  set(key: string, profile: ResolvedProfile): void {
    const now = this.now();
    const kept = Object.fromEntries(
      Object.entries(this.read()).filter(([, e]) => now - e.at < PROFILE_TTL_MS && e.at <= now),
    );
    kept[key] = { at: now, profile };
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileAtomic(this.path, `${JSON.stringify(kept)}\n`);
    } catch {
      // A read-only home or a full disk: the next run asks again.
    }
  }

  private read(): Record<string, Entry> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, Entry>) : {};
    } catch {
      return {};
    }
  }
}

/** Where a cached answer is valid: the control plane's endpoint (or AWS's), the region, the ARN. */
export function profileCacheKey(endpoint: string | undefined, region: string, arn: string): string {
  return JSON.stringify([endpoint ?? 'aws', region, arn]);
}
