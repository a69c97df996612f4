/**
 * `-m` naming an inference profile's ARN: resolved once per run, before any row is sent, to the
 * model it stands for (its price) and its tags (the results' `profile_tags` and the summary). The
 * control plane is reached as batch mode and --guardrail reach it: the emulator's URL with
 * --emulate, else AWS_ENDPOINT_URL_BEDROCK or AWS_ENDPOINT_URL, else an --endpoint that is not
 * AWS's own, else AWS. Answers are cached on disk for an hour (bedrock/inference-profile-cache.ts);
 * not with --emulate, whose emulator is new on every run.
 */

import { fetchProfile, isProfileArn, type ResolvedProfile } from '../bedrock/inference-profile.js';
import { ProfileCache, profileCacheKey, profileCachePath } from '../bedrock/inference-profile-cache.js';
import { createBatchClients } from '../engines/batch/clients.js';
import { notAws } from '../engines/ondemand/guardrail-check.js';
import type { JobSpec } from '../job/spec.js';
import type { OpenClient } from './client.js';
import type { RunDeps } from './deps.js';

export async function resolveRunProfile(
  spec: JobSpec,
  deps: RunDeps,
  opened: OpenClient | undefined,
): Promise<ResolvedProfile | undefined> {
  if (!isProfileArn(spec.model)) return undefined;
  const env = deps.env ?? process.env;
  const emulatorUrl =
    opened?.emulator?.url ??
    (env.AWS_ENDPOINT_URL_BEDROCK || env.AWS_ENDPOINT_URL ? undefined : notAws(spec.endpoint));
  const endpoint = emulatorUrl ?? (env.AWS_ENDPOINT_URL_BEDROCK || env.AWS_ENDPOINT_URL || undefined);
  const cache = opened?.emulator ? undefined : new ProfileCache(profileCachePath(env));
  const key = profileCacheKey(endpoint, spec.region, spec.model);
  const cached = cache?.get(key);
  if (cached) return cached;
  const clients = createBatchClients({
    region: spec.region,
    env,
    ...(spec.profile === undefined ? {} : { profile: spec.profile }),
    ...(emulatorUrl === undefined ? {} : { emulatorUrl }),
    ...(opened?.emulator ? { credentials: opened.emulator.credentials } : {}),
  });
  try {
    const resolved = await fetchProfile(clients.bedrock, spec.model, deps.onWarning);
    if (resolved) cache?.set(key, resolved);
    return resolved;
  } finally {
    clients.destroy();
  }
}
