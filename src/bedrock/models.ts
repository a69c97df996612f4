/**
 * What the client needs to know about a model id before its family: the base id behind an
 * inference-profile prefix or an ARN. Each family's own knowledge is in bedrock/families/.
 */

const PROFILE_PREFIXES = ['us.', 'eu.', 'apac.', 'global.', 'us-gov.', 'jp.', 'au.', 'ca.'];

/** `arn:...:inference-profile/us.anthropic.x-v1:0` and `us.anthropic.x-v1:0` both give `anthropic.x-v1:0`. */
export function baseModelId(modelId: string): string {
  let id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const prefix = PROFILE_PREFIXES.find((p) => id.startsWith(p));
  if (prefix) id = id.slice(prefix.length);
  return id;
}
