/**
 * CreateGuardrail's and UpdateGuardrail's body checked against botocore's `bedrock` model (required
 * members, lengths, patterns, enums, list sizes; every violation reported at once), then turned
 * from the `*Config` request shapes into the GetGuardrail shapes the store keeps, each entry's
 * per-direction action and switch filled in as Bedrock reads them back.
 */
import type { GuardrailDefinition } from '../guardrails/policy.js';
import { ControlError, isObject, Violations } from './errors.js';
import {
  BLOCK,
  filter,
  flag,
  list,
  managedList,
  piiEntity,
  regex,
  structure,
  topic,
  word,
} from './guardrail-entries.js';

const NAME = '[0-9a-zA-Z-_]+';
export const TOKEN = '[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?';
const KMS_KEY =
  '(arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)';

export function checkGuardrailBody(body: unknown): GuardrailDefinition {
  if (!isObject(body))
    throw new ControlError('ValidationException', 'The request body must be a JSON object.');
  // Policies the emulator cannot judge are refused rather than stored and silently never applied.
  for (const key of ['automatedReasoningPolicyConfig', 'crossRegionConfig'])
    if (body[key] !== undefined)
      throw new ControlError('ValidationException', `The emulator does not support ${key}.`);
  const v = new Violations();
  v.text('name', body.name, { required: true, min: 1, max: 50, pattern: NAME });
  v.text('description', body.description, { min: 1, max: 200 });
  v.text('blockedInputMessaging', body.blockedInputMessaging, { required: true, min: 1, max: 500 });
  v.text('blockedOutputsMessaging', body.blockedOutputsMessaging, { required: true, min: 1, max: 500 });
  v.text('kmsKeyId', body.kmsKeyId, { min: 1, max: 2048, pattern: KMS_KEY });
  v.text('clientRequestToken', body.clientRequestToken, { min: 1, max: 256, pattern: TOKEN });
  const definition: GuardrailDefinition = {
    name: body.name as string,
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
    blockedInputMessaging: body.blockedInputMessaging as string,
    blockedOutputsMessaging: body.blockedOutputsMessaging as string,
    ...(typeof body.kmsKeyId === 'string'
      ? {
          kmsKeyArn: body.kmsKeyId.startsWith('arn:')
            ? body.kmsKeyId
            : `arn:aws:kms:us-east-1:123456789012:key/${body.kmsKeyId}`,
        }
      : {}),
  };
  const topics = structure(v, 'topicPolicyConfig', body.topicPolicyConfig);
  if (topics) {
    const items = list(v, 'topicPolicyConfig.topicsConfig', topics.topicsConfig, 1, 30, true);
    definition.topicPolicy = {
      topics: items.map((t, i) => topic(v, `topicPolicyConfig.topicsConfig.${i + 1}.member`, t)),
    };
  }
  const content = structure(v, 'contentPolicyConfig', body.contentPolicyConfig);
  if (content) {
    const items = list(v, 'contentPolicyConfig.filtersConfig', content.filtersConfig, 1, 6, true);
    definition.contentPolicy = {
      filters: items.map((f, i) => filter(v, `contentPolicyConfig.filtersConfig.${i + 1}.member`, f)),
    };
  }
  const words = structure(v, 'wordPolicyConfig', body.wordPolicyConfig);
  if (words) {
    const custom = list(v, 'wordPolicyConfig.wordsConfig', words.wordsConfig, 1, 10_000);
    const managed = list(v, 'wordPolicyConfig.managedWordListsConfig', words.managedWordListsConfig, 0);
    definition.wordPolicy = {
      ...(custom.length > 0
        ? { words: custom.map((w, i) => word(v, `wordPolicyConfig.wordsConfig.${i + 1}.member`, w)) }
        : {}),
      ...(managed.length > 0
        ? {
            managedWordLists: managed.map((m, i) =>
              managedList(v, `wordPolicyConfig.managedWordListsConfig.${i + 1}.member`, m),
            ),
          }
        : {}),
    };
  }
  const sensitive = structure(v, 'sensitiveInformationPolicyConfig', body.sensitiveInformationPolicyConfig);
  if (sensitive) {
    const path = 'sensitiveInformationPolicyConfig';
    const pii = list(v, `${path}.piiEntitiesConfig`, sensitive.piiEntitiesConfig, 1);
    const regexes = list(v, `${path}.regexesConfig`, sensitive.regexesConfig, 1, 10);
    definition.sensitiveInformationPolicy = {
      ...(pii.length > 0
        ? { piiEntities: pii.map((p, i) => piiEntity(v, `${path}.piiEntitiesConfig.${i + 1}.member`, p)) }
        : {}),
      ...(regexes.length > 0
        ? { regexes: regexes.map((r, i) => regex(v, `${path}.regexesConfig.${i + 1}.member`, r)) }
        : {}),
    };
  }
  const grounding = structure(v, 'contextualGroundingPolicyConfig', body.contextualGroundingPolicyConfig);
  if (grounding) {
    const items = list(
      v,
      'contextualGroundingPolicyConfig.filtersConfig',
      grounding.filtersConfig,
      1,
      undefined,
      true,
    );
    definition.contextualGroundingPolicy = {
      filters: items.map((f, i) => {
        const path = `contextualGroundingPolicyConfig.filtersConfig.${i + 1}.member`;
        v.oneOf(`${path}.type`, f.type, ['GROUNDING', 'RELEVANCE']);
        if (f.type === undefined) v.add(`${path}.type`, null, 'Member must not be null');
        if (typeof f.threshold !== 'number' || f.threshold < 0)
          v.add(`${path}.threshold`, f.threshold, 'Member must have value greater than or equal to 0');
        v.oneOf(`${path}.action`, f.action, BLOCK);
        return {
          type: f.type as string,
          threshold: f.threshold as number,
          action: (f.action ?? 'BLOCK') as string,
          enabled: flag(v, `${path}.enabled`, f.enabled),
        };
      }),
    };
  }
  v.throwIfAny();
  checkRegexes(definition);
  return definition;
}

/** A pattern the emulator cannot compile is refused rather than never matching. */
function checkRegexes(definition: GuardrailDefinition): void {
  for (const r of definition.sensitiveInformationPolicy?.regexes ?? []) {
    try {
      new RegExp(r.pattern);
    } catch {
      throw new ControlError(
        'ValidationException',
        `The regex pattern for ${r.name} is not a valid regular expression.`,
      );
    }
  }
}
