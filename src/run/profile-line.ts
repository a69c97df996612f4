/** The run's log line for a resolved inference profile (run/profile-setup.ts resolves it). */
import type { ResolvedProfile } from '../bedrock/inference-profile-arn.js';

export function profileLine(profile: ResolvedProfile): string {
  const tags = Object.entries(profile.tags).map(([k, v]) => `${k}=${v}`);
  return `inference profile ${profile.name ?? profile.arn} (${profile.type}): priced as ${profile.pricedAs}${tags.length > 0 ? `, tags ${tags.join(' ')}` : ''}`;
}
