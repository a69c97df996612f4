/**
 * The guardrails the control plane made, in memory as the batch jobs are: each guardrail's DRAFT
 * (which UpdateGuardrail rewrites) and its numbered versions, frozen copies of the DRAFT taken by
 * CreateGuardrailVersion, so a numbered version never changes under a caller. The runtime finds
 * them through `find`, with the two refusals Bedrock's runtime answers for a guardrail it cannot use.
 */
import { randomBytes } from 'node:crypto';
import { EmulatedError } from '../wire/exceptions.js';
import type { GuardrailDefinition } from './policy.js';

/** The emulator's guardrail options (EmulatorOptions). */
export interface GuardrailOptions {
  /**
   * Refuse model calls that name no guardrail (403 AccessDeniedException), as an account whose IAM
   * policy denies them without a `bedrock:GuardrailIdentifier` condition does. @default false
   */
  requireGuardrail?: boolean;
  /**
   * Guardrail control-plane actions the caller is not allowed (403 AccessDeniedException), e.g.
   * `['GetGuardrail']` for a role without `bedrock:GetGuardrail`. @default []
   */
  deniedGuardrailActions?: string[];
}

export interface GuardrailVersion extends GuardrailDefinition {
  /** `DRAFT` or "1", "2", ... */
  version: string;
  status: 'READY';
  createdAt: string;
  updatedAt: string;
}

export interface Guardrail {
  id: string;
  arn: string;
  draft: GuardrailVersion;
  /** Numbered versions, in the order they were made. */
  versions: Map<string, GuardrailVersion>;
  /** The next version number; a deleted version's number is not given out again. */
  next: number;
  /** CreateGuardrailVersion's clientRequestToken -> the version it made (idempotent repeats). */
  tokens: Map<string, string>;
  /** CreateGuardrail's clientRequestToken, for its idempotent repeat. */
  token?: string;
}

/** Captured from real Bedrock calls (400 ValidationException); see docs/emulator-guardrails.md. */
export const INVALID_IDENTIFIER = 'The provided guardrail identifier is invalid.';
export const NO_SUCH_VERSION = 'The guardrail identifier or version provided in the request does not exist.';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ACCOUNT = '123456789012';
const ARN = /^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/([a-z0-9]+)$/;

export class GuardrailStore {
  private guardrails = new Map<string, Guardrail>();

  create(definition: GuardrailDefinition, region: string, token?: string): Guardrail {
    let id = '';
    do id = newId();
    while (this.guardrails.has(id));
    const now = new Date().toISOString();
    const guardrail: Guardrail = {
      id,
      arn: `arn:aws:bedrock:${region}:${ACCOUNT}:guardrail/${id}`,
      draft: { ...definition, version: 'DRAFT', status: 'READY', createdAt: now, updatedAt: now },
      versions: new Map(),
      next: 1,
      tokens: new Map(),
      ...(token === undefined ? {} : { token }),
    };
    this.guardrails.set(id, guardrail);
    return guardrail;
  }

  /** A guardrail by its id or ARN; undefined when there is none. */
  lookup(identifier: string): Guardrail | undefined {
    return this.guardrails.get(ARN.exec(identifier)?.[2] ?? identifier);
  }

  all(): Guardrail[] {
    return [...this.guardrails.values()];
  }

  byName(name: string): Guardrail | undefined {
    return this.all().find((g) => g.draft.name === name);
  }

  byToken(token: string): Guardrail | undefined {
    return this.all().find((g) => g.token === token);
  }

  /** The version asked for (`DRAFT` when none), or undefined. */
  version(guardrail: Guardrail, version: string | undefined): GuardrailVersion | undefined {
    return version === undefined || version === 'DRAFT' ? guardrail.draft : guardrail.versions.get(version);
  }

  update(guardrail: Guardrail, definition: GuardrailDefinition): void {
    const { createdAt } = guardrail.draft;
    const updatedAt = new Date().toISOString();
    guardrail.draft = { ...definition, version: 'DRAFT', status: 'READY', createdAt, updatedAt };
  }

  /** Freezes the DRAFT as the next numbered version; a repeated token answers the same version. */
  snapshot(guardrail: Guardrail, description?: string, token?: string): string {
    const earlier = token === undefined ? undefined : guardrail.tokens.get(token);
    if (earlier !== undefined) return earlier;
    const version = String(guardrail.next++);
    const now = new Date().toISOString();
    const frozen: GuardrailVersion = structuredClone({
      ...guardrail.draft,
      version,
      createdAt: now,
      updatedAt: now,
    });
    if (description !== undefined) frozen.description = description;
    guardrail.versions.set(version, frozen);
    if (token !== undefined) guardrail.tokens.set(token, version);
    return version;
  }

  delete(guardrail: Guardrail, version?: string): boolean {
    if (version === undefined) return this.guardrails.delete(guardrail.id);
    return guardrail.versions.delete(version);
  }

  /**
   * What a runtime call names (Converse's guardrailConfig, InvokeModel's headers, ApplyGuardrail's
   * path): an id Bedrock does not know is refused with one message, a version it does not know with
   * another, both ValidationException (400) as Bedrock answers them; never ignored.
   */
  find(identifier: string, version: string): { guardrail: Guardrail; version: GuardrailVersion } {
    const guardrail = this.lookup(identifier);
    if (!guardrail) throw new EmulatedError('ValidationException', INVALID_IDENTIFIER);
    const found = this.version(guardrail, version);
    if (!found) throw new EmulatedError('ValidationException', NO_SUCH_VERSION);
    return { guardrail, version: found };
  }

  clear(): void {
    this.guardrails.clear();
  }
}

/** AppliedGuardrailDetails: which guardrail made an assessment, and that the request named it. */
export function appliedDetails(guardrail: Guardrail, version: GuardrailVersion): Record<string, unknown> {
  return {
    guardrailId: guardrail.id,
    guardrailVersion: version.version,
    guardrailArn: guardrail.arn,
    guardrailOrigin: ['REQUEST'],
    guardrailOwnership: 'SELF',
  };
}

function newId(): string {
  return [...randomBytes(12)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}
