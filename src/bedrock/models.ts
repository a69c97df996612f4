/**
 * What the client needs to know about a model id: its family, which decides the native body for
 * InvokeModel and where top_k goes. Inference-profile prefixes and ARNs are stripped to the base id.
 */

export type Family = 'anthropic' | 'nova' | 'titan' | 'llama' | 'mistral' | 'unknown';

const PROFILE_PREFIXES = ['us.', 'eu.', 'apac.', 'global.', 'us-gov.', 'jp.', 'au.', 'ca.'];

/** `arn:...:inference-profile/us.anthropic.x-v1:0` and `us.anthropic.x-v1:0` both give `anthropic.x-v1:0`. */
export function baseModelId(modelId: string): string {
  let id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const prefix = PROFILE_PREFIXES.find((p) => id.startsWith(p));
  if (prefix) id = id.slice(prefix.length);
  return id;
}

export function familyOf(modelId: string): Family {
  const id = baseModelId(modelId);
  if (id.startsWith('anthropic.')) return 'anthropic';
  if (id.startsWith('amazon.nova')) return 'nova';
  if (id.startsWith('amazon.titan-text') || id.startsWith('amazon.titan-tg1')) return 'titan';
  if (id.startsWith('meta.llama')) return 'llama';
  if (id.startsWith('mistral.')) return 'mistral';
  return 'unknown';
}

/** Mistral models served with the chat-completion body (Mistral Large 24.07 and later). */
export function isMistralChat(modelId: string): boolean {
  return /^mistral\.(mistral-large-24(0[7-9]|1\d)|pixtral)/.test(baseModelId(modelId));
}
