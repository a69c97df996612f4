/**
 * The models the emulator serves: the seed document's five Claude models and current text models
 * of each family, with the output-token limit Bedrock enforces. Inference profiles (`us.`, `eu.`,
 * `apac.`, `global.`) and ARNs resolve to these base ids.
 */

export type ModelFamily = 'anthropic' | 'nova' | 'titan' | 'llama' | 'mistral';

export interface ModelInfo {
  id: string;
  family: ModelFamily;
  /** Largest max_tokens the model accepts. */
  maxOutputTokens: number;
  /** The `model` field Anthropic responses carry (the id without provider and version). */
  anthropicName?: string;
  /** Mistral models that take the chat-completion body instead of the text-completion one. */
  mistralChat?: boolean;
}

const MODELS: ModelInfo[] = [
  {
    id: 'anthropic.claude-3-haiku-20240307-v1:0',
    family: 'anthropic',
    maxOutputTokens: 4096,
    anthropicName: 'claude-3-haiku-20240307',
  },
  {
    id: 'anthropic.claude-3-sonnet-20240229-v1:0',
    family: 'anthropic',
    maxOutputTokens: 4096,
    anthropicName: 'claude-3-sonnet-20240229',
  },
  {
    id: 'anthropic.claude-3-opus-20240229-v1:0',
    family: 'anthropic',
    maxOutputTokens: 4096,
    anthropicName: 'claude-3-opus-20240229',
  },
  {
    id: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    family: 'anthropic',
    maxOutputTokens: 8192,
    anthropicName: 'claude-3-5-haiku-20241022',
  },
  {
    id: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    family: 'anthropic',
    maxOutputTokens: 8192,
    anthropicName: 'claude-3-5-sonnet-20240620',
  },
  {
    id: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
    family: 'anthropic',
    maxOutputTokens: 8192,
    anthropicName: 'claude-3-5-sonnet-20241022',
  },
  {
    id: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
    family: 'anthropic',
    maxOutputTokens: 64000,
    anthropicName: 'claude-3-7-sonnet-20250219',
  },
  {
    id: 'anthropic.claude-sonnet-4-20250514-v1:0',
    family: 'anthropic',
    maxOutputTokens: 64000,
    anthropicName: 'claude-sonnet-4-20250514',
  },
  {
    id: 'anthropic.claude-opus-4-20250514-v1:0',
    family: 'anthropic',
    maxOutputTokens: 32000,
    anthropicName: 'claude-opus-4-20250514',
  },
  {
    id: 'anthropic.claude-opus-4-1-20250805-v1:0',
    family: 'anthropic',
    maxOutputTokens: 32000,
    anthropicName: 'claude-opus-4-1-20250805',
  },
  {
    id: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    family: 'anthropic',
    maxOutputTokens: 64000,
    anthropicName: 'claude-sonnet-4-5-20250929',
  },
  {
    id: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    family: 'anthropic',
    maxOutputTokens: 64000,
    anthropicName: 'claude-haiku-4-5-20251001',
  },
  {
    id: 'anthropic.claude-opus-4-5-20251101-v1:0',
    family: 'anthropic',
    maxOutputTokens: 64000,
    anthropicName: 'claude-opus-4-5-20251101',
  },
  { id: 'amazon.nova-micro-v1:0', family: 'nova', maxOutputTokens: 10000 },
  { id: 'amazon.nova-lite-v1:0', family: 'nova', maxOutputTokens: 10000 },
  { id: 'amazon.nova-pro-v1:0', family: 'nova', maxOutputTokens: 10000 },
  { id: 'amazon.nova-premier-v1:0', family: 'nova', maxOutputTokens: 32000 },
  { id: 'amazon.titan-text-express-v1', family: 'titan', maxOutputTokens: 8192 },
  { id: 'amazon.titan-text-lite-v1', family: 'titan', maxOutputTokens: 4096 },
  { id: 'amazon.titan-text-premier-v1:0', family: 'titan', maxOutputTokens: 3072 },
  { id: 'meta.llama3-8b-instruct-v1:0', family: 'llama', maxOutputTokens: 2048 },
  { id: 'meta.llama3-70b-instruct-v1:0', family: 'llama', maxOutputTokens: 2048 },
  { id: 'meta.llama3-1-8b-instruct-v1:0', family: 'llama', maxOutputTokens: 2048 },
  { id: 'meta.llama3-1-70b-instruct-v1:0', family: 'llama', maxOutputTokens: 2048 },
  { id: 'meta.llama3-2-1b-instruct-v1:0', family: 'llama', maxOutputTokens: 2048 },
  { id: 'meta.llama3-2-3b-instruct-v1:0', family: 'llama', maxOutputTokens: 2048 },
  { id: 'meta.llama3-3-70b-instruct-v1:0', family: 'llama', maxOutputTokens: 2048 },
  { id: 'meta.llama4-scout-17b-instruct-v1:0', family: 'llama', maxOutputTokens: 8192 },
  { id: 'meta.llama4-maverick-17b-instruct-v1:0', family: 'llama', maxOutputTokens: 8192 },
  { id: 'mistral.mistral-7b-instruct-v0:2', family: 'mistral', maxOutputTokens: 8192 },
  { id: 'mistral.mixtral-8x7b-instruct-v0:1', family: 'mistral', maxOutputTokens: 4096 },
  { id: 'mistral.mistral-small-2402-v1:0', family: 'mistral', maxOutputTokens: 8192 },
  { id: 'mistral.mistral-large-2402-v1:0', family: 'mistral', maxOutputTokens: 8192 },
  { id: 'mistral.mistral-large-2407-v1:0', family: 'mistral', maxOutputTokens: 8192, mistralChat: true },
];

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));
const PROFILE_REGIONS = ['us', 'eu', 'apac', 'global', 'us-gov', 'jp', 'au', 'ca'];

/** Every id the emulator answers to, profiles included; for docs and tests. */
export function knownModelIds(): string[] {
  return MODELS.map((m) => m.id);
}

/**
 * Resolves a model identifier from the path: a base id, an inference-profile id, or an ARN of a
 * foundation model or inference profile. Anything else is unknown (ValidationException upstream).
 */
export function resolveModel(identifier: string): ModelInfo | undefined {
  let id = identifier;
  if (id.startsWith('arn:')) {
    const match =
      /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:(foundation-model|inference-profile)\/(.+)$/.exec(id);
    if (!match?.[2]) return undefined;
    id = match[2];
  }
  const dot = id.indexOf('.');
  if (dot > 0 && PROFILE_REGIONS.includes(id.slice(0, dot)) && BY_ID.has(id.slice(dot + 1)))
    id = id.slice(dot + 1);
  return BY_ID.get(id);
}
