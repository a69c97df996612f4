/**
 * Inference profiles, as Bedrock's control plane keeps them: the system-defined ones (one per model
 * and geography prefix in models.json: `us.`, `eu.`, `apac.`, `jp.`, `au.`, `global.`), and the
 * application profiles CreateInferenceProfile makes (copied from a foundation model or a system
 * profile, with tags). The runtime asks `modelFor` which identifier an application profile's ARN
 * stands for and answers as that model; the control plane (control/profile-routes.ts) serves the
 * shapes. Tags live here too, by resource ARN, for TagResource / ListTagsForResource.
 */
import { randomBytes } from 'node:crypto';
import { catalogue } from './catalogue.js';

export const ACCOUNT = '123456789012';

/** The regions each geography's system profile routes to (its `models` list). */
const GEOGRAPHY: Record<string, string[]> = {
  us: ['us-east-1', 'us-east-2', 'us-west-2'],
  eu: ['eu-central-1', 'eu-west-1', 'eu-west-3'],
  apac: ['ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2'],
  jp: ['ap-northeast-1', 'ap-northeast-3'],
  au: ['ap-southeast-2', 'ap-southeast-4'],
  ca: ['ca-central-1', 'ca-west-1'],
  'us-gov': ['us-gov-west-1', 'us-gov-east-1'],
  // Any commercial region: the foundation-model ARN without a region, then the home ones.
  global: ['', 'us-east-1', 'us-west-2'],
};

export interface Profile {
  id: string;
  arn: string;
  name: string;
  description?: string;
  type: 'SYSTEM_DEFINED' | 'APPLICATION';
  /** What a call through the profile is answered as: a base model id or a system profile id. */
  target: string;
  models: Array<{ modelArn: string }>;
  createdAt: string;
  updatedAt: string;
  token?: string;
}

const CREATED = '2024-08-27T00:00:00Z';

function modelArn(region: string, base: string): string {
  return `arn:aws:bedrock:${region}::foundation-model/${base}`;
}

/** The system-defined profiles of one region: every model's every prefix. */
function systemProfiles(region: string): Profile[] {
  return catalogue()
    .filter((m) => m.status !== 'eol')
    .flatMap((m) =>
      m.profiles.map((prefix) => {
        const id = `${prefix}.${m.id}`;
        return {
          id,
          arn: `arn:aws:bedrock:${region}:${ACCOUNT}:inference-profile/${id}`,
          name: `${prefix.toUpperCase()} ${m.id}`,
          type: 'SYSTEM_DEFINED' as const,
          target: id,
          models: (GEOGRAPHY[prefix] ?? [region]).map((r) => ({ modelArn: modelArn(r, m.id) })),
          createdAt: CREATED,
          updatedAt: CREATED,
        };
      }),
    );
}

export class ProfileStore {
  private readonly apps = new Map<string, Profile>();
  private readonly tags = new Map<string, Map<string, string>>();
  /** Control-plane requests on the profile and tag paths, by operation, for tests to count. */
  calls: Record<string, number> = {};

  count(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }

  /** A profile by id or ARN (system ones in the caller's region), or undefined. */
  lookup(identifier: string, region: string): Profile | undefined {
    const app = this.apps.get(identifier) ?? [...this.apps.values()].find((p) => p.arn === identifier);
    if (app) return app;
    const id = identifier.startsWith('arn:') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier;
    if (identifier.startsWith('arn:') && !identifier.includes(':inference-profile/')) return undefined;
    return systemProfiles(region).find((p) => p.id === id);
  }

  byName(name: string): Profile | undefined {
    return [...this.apps.values()].find((p) => p.name === name);
  }

  byToken(token: string): Profile | undefined {
    return [...this.apps.values()].find((p) => p.token === token);
  }

  /** Application profiles first, then the region's system-defined ones. */
  all(region: string, type?: string): Profile[] {
    const every = [...this.apps.values(), ...systemProfiles(region)];
    return type === undefined ? every : every.filter((p) => p.type === type);
  }

  create(
    definition: { name: string; description?: string; source: Profile | { base: string; arn: string } },
    region: string,
    token?: string,
  ): Profile {
    const id = randomBytes(6).toString('hex');
    const now = new Date().toISOString();
    const { source } = definition;
    const profile: Profile = {
      id,
      arn: `arn:aws:bedrock:${region}:${ACCOUNT}:application-inference-profile/${id}`,
      name: definition.name,
      ...(definition.description === undefined ? {} : { description: definition.description }),
      type: 'APPLICATION',
      target: 'base' in source ? source.base : source.target,
      models: 'base' in source ? [{ modelArn: source.arn }] : source.models,
      createdAt: now,
      updatedAt: now,
      ...(token === undefined ? {} : { token }),
    };
    this.apps.set(id, profile);
    return profile;
  }

  delete(profile: Profile): void {
    this.apps.delete(profile.id);
    this.tags.delete(profile.arn);
  }

  /**
   * The identifier a model call naming an application profile is answered as; undefined for any
   * other identifier (base ids, system profiles: the catalogue resolves those itself).
   */
  modelFor(identifier: string): string | undefined {
    if (!identifier.includes(':application-inference-profile/')) return undefined;
    return [...this.apps.values()].find((p) => p.arn === identifier)?.target;
  }

  tag(arn: string, tags: Array<{ key: string; value: string }>): void {
    const held = this.tags.get(arn) ?? new Map<string, string>();
    for (const { key, value } of tags) held.set(key, value);
    this.tags.set(arn, held);
  }

  untag(arn: string, keys: string[]): void {
    for (const key of keys) this.tags.get(arn)?.delete(key);
  }

  /** A resource ListTagsForResource knows: an application profile, or a job created with tags. */
  taggable(arn: string): boolean {
    return this.modelFor(arn) !== undefined || this.tags.has(arn);
  }

  tagsOf(arn: string): Array<{ key: string; value: string }> {
    return [...(this.tags.get(arn) ?? new Map<string, string>())].map(([key, value]) => ({ key, value }));
  }

  clear(): void {
    this.apps.clear();
    this.tags.clear();
    this.calls = {};
  }
}
