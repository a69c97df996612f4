/**
 * The models the emulator serves, read from models.json (one table, data not code): limits,
 * features, lifecycle, which inference-profile prefixes exist, and which models take only profiles.
 * Resolution answers as Bedrock does: an unknown id or a prefix the model has no profile for is an
 * invalid identifier, an end-of-life model is ResourceNotFoundException, and the base id of a
 * profile-only model is refused for on-demand throughput.
 */
import { EmulatedError, INVALID_MODEL } from '../wire/exceptions.js';
import table from './models.json' with { type: 'json' };

export type ModelFamily = 'anthropic' | 'nova' | 'titan' | 'llama' | 'mistral';

export type Feature =
  | 'tools'
  | 'images'
  | 'documents'
  | 'thinking'
  | 'structured-output'
  /** Claude 4.1 and later refuse `temperature` and `top_p` together. */
  | 'temperature-or-top-p'
  | 'latency-optimized';

export interface ModelInfo {
  id: string;
  family: ModelFamily;
  status: 'active' | 'legacy' | 'eol';
  contextWindow: number;
  /** Largest max_tokens the model accepts. */
  maxOutputTokens: number;
  /** Each output token counts this many against the tokens-per-minute quota (Claude 3.7 and 4: 5). @default 1 */
  outputBurndown?: number;
  /** The inference-profile prefixes that exist for the model (`global`, `us`, ...). */
  profiles: string[];
  /** Only reachable through an inference profile: the base id is refused on demand. */
  profileOnly?: boolean;
  features: Feature[];
  /** Tokens a prefix needs before a cache point counts; absent = no prompt caching. */
  cacheMinimum?: number;
  /** Service tiers beyond `default` (priority, flex). */
  tiers?: string[];
  maxStopSequences?: number;
  /** The `model` field Anthropic responses carry (the id without provider and version). */
  anthropicName?: string;
  /** Mistral models that take the chat-completion body instead of the text-completion one. */
  mistralChat?: boolean;
}

const MODELS = table.models as ModelInfo[];
const BY_ID = new Map(MODELS.map((m) => [m.id, m]));
/** Every profile prefix Bedrock has; a known prefix on a model without that profile is invalid. */
const PREFIXES = new Set(['us', 'eu', 'apac', 'global', 'us-gov', 'jp', 'au', 'ca']);

export const END_OF_LIFE =
  'This model version has reached the end of its life. Please refer to the AWS documentation for more details.';

export function onDemandRefused(id: string): string {
  return `Invocation of model ID ${id} with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.`;
}

/** Every model in the table, end-of-life ones included; for docs and tests. */
export function catalogue(): readonly ModelInfo[] {
  return MODELS;
}

export function knownModelIds(): string[] {
  return MODELS.map((m) => m.id);
}

export function hasFeature(model: ModelInfo, feature: Feature): boolean {
  return model.features.includes(feature);
}

interface Parsed {
  base: string;
  prefix?: string;
}

function parseIdentifier(identifier: string): Parsed | undefined {
  let id = identifier;
  let kind = 'foundation-model';
  if (id.startsWith('arn:')) {
    const match =
      /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:(foundation-model|inference-profile)\/(.+)$/.exec(id);
    if (!match?.[2]) return undefined;
    kind = match[1] ?? kind;
    id = match[2];
  }
  const dot = id.indexOf('.');
  const head = dot > 0 ? id.slice(0, dot) : '';
  if (PREFIXES.has(head)) return { base: id.slice(dot + 1), prefix: head };
  // An inference-profile ARN always names a profile, never a base model.
  if (kind === 'inference-profile') return undefined;
  return { base: id };
}

/**
 * The model a path identifier names, or undefined when it names none (a lookup only, for stats
 * and tests; `admitModel` applies Bedrock's refusals).
 */
export function resolveModel(identifier: string): ModelInfo | undefined {
  const parsed = parseIdentifier(identifier);
  const model = parsed && BY_ID.get(parsed.base);
  if (!model || !parsed) return undefined;
  if (parsed.prefix !== undefined && !model.profiles.includes(parsed.prefix)) return undefined;
  return model;
}

/**
 * The model a call may use, or the error Bedrock answers with. CountTokens takes base ids (it
 * counts for the foundation model), so the profile-only refusal is for the invoking operations.
 */
export function admitModel(identifier: string, countTokens = false): ModelInfo {
  const parsed = parseIdentifier(identifier);
  const model = resolveModel(identifier);
  if (!model || !parsed) throw new EmulatedError('ValidationException', INVALID_MODEL);
  if (model.status === 'eol') throw new EmulatedError('ResourceNotFoundException', END_OF_LIFE);
  if (parsed.prefix === undefined && model.profileOnly && !countTokens)
    throw new EmulatedError('ValidationException', onDemandRefused(model.id));
  return model;
}
