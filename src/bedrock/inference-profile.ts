/**
 * An inference profile's ARN as `-m`: which model it stands for, and so what its calls cost. An
 * application profile's ARN (`...:application-inference-profile/ID`) says nothing of its model,
 * so it is resolved once per run with GetInferenceProfile (and its tags read with
 * ListTagsForResource, for attribution); a system-defined profile's ARN is resolved the same way.
 * How a profile is priced is in inference-profile-arn.ts.
 */
import {
  type BedrockClient,
  GetInferenceProfileCommand,
  type GetInferenceProfileCommandOutput,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-bedrock';
import { RunBatchError } from '../errors.js';
import { pricedModel, type ResolvedProfile } from './inference-profile-arn.js';

export { isProfileArn, pricedModel, type ResolvedProfile } from './inference-profile-arn.js';

/** Refusals that mean the profile does not exist (or is not one): a usage error, exit 2. */
const UNKNOWN = new Set(['ResourceNotFoundException', 'ValidationException']);

/**
 * GetInferenceProfile, then ListTagsForResource for an application profile. An unknown profile is
 * exit 2 after that one call. A denied or failed look-up is a warning and undefined: the runtime
 * still judges the ARN, its rows are only left unpriced. A denied tag read leaves the tags empty.
 */
export async function fetchProfile(
  client: BedrockClient,
  arn: string,
  onWarning: (message: string) => void = () => {},
): Promise<ResolvedProfile | undefined> {
  let found: GetInferenceProfileCommandOutput;
  try {
    found = await client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
  } catch (error) {
    const name = (error as Error).name;
    if (UNKNOWN.has(name))
      throw new RunBatchError(
        'USAGE',
        `-m ${arn}: ${(error as Error).message} (${name}, from GetInferenceProfile); check the ARN and --region`,
        { cause: error },
      );
    onWarning(
      `-m ${arn}: could not resolve the inference profile with GetInferenceProfile (${name}: ${(error as Error).message}); its rows are priced by the id alone (a system profile's names its model; an application profile's rows get an empty cost_usd). The role needs bedrock:GetInferenceProfile`,
    );
    return undefined;
  }
  const type = String(found.type ?? 'APPLICATION');
  const models = (found.models ?? [])
    .map((m) => m.modelArn)
    .filter((m): m is string => typeof m === 'string');
  const id = String(found.inferenceProfileId ?? arn.slice(arn.lastIndexOf('/') + 1));
  const tags: Record<string, string> = {};
  if (type === 'APPLICATION') {
    try {
      const listed = await client.send(new ListTagsForResourceCommand({ resourceARN: arn }));
      for (const tag of listed.tags ?? []) if (tag.key !== undefined) tags[tag.key] = tag.value ?? '';
    } catch (error) {
      onWarning(
        `-m ${arn}: could not read the profile's tags (${(error as Error).name}: ${(error as Error).message}); profile_tags stays empty (the role needs bedrock:ListTagsForResource)`,
      );
    }
  }
  return {
    arn,
    type,
    ...(typeof found.inferenceProfileName === 'string' ? { name: found.inferenceProfileName } : {}),
    models,
    pricedAs: pricedModel(type, id, models),
    tags,
  };
}
