/**
 * Guardrails for the emulator's guardrail tests, made through the real @aws-sdk/client-bedrock
 * (CreateGuardrail, then CreateGuardrailVersion for version "1").
 */
import {
  BedrockClient,
  CreateGuardrailCommand,
  type CreateGuardrailCommandInput,
  CreateGuardrailVersionCommand,
} from '@aws-sdk/client-bedrock';

export function controlClient(url: string): BedrockClient {
  return new BedrockClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
}

export const BLOCKED_INPUT = 'Sorry, I cannot help with that request.';
export const BLOCKED_OUTPUT = 'Sorry, the answer was withheld.';

/** A guardrail with every policy the emulator evaluates; `more` adds or replaces policies. */
export async function makeGuardrail(
  url: string,
  name: string,
  more: Partial<CreateGuardrailCommandInput> = {},
): Promise<{ id: string; arn: string; version: string }> {
  const client = controlClient(url);
  const created = await client.send(
    new CreateGuardrailCommand({
      name,
      blockedInputMessaging: BLOCKED_INPUT,
      blockedOutputsMessaging: BLOCKED_OUTPUT,
      topicPolicyConfig: {
        topicsConfig: [
          {
            name: 'Investment advice',
            type: 'DENY',
            definition: 'Recommendations about stocks, bonds or portfolio allocation',
            examples: ['Which shares should I buy?'],
          },
        ],
      },
      contentPolicyConfig: {
        filtersConfig: [
          { type: 'HATE', inputStrength: 'MEDIUM', outputStrength: 'MEDIUM' },
          { type: 'VIOLENCE', inputStrength: 'HIGH', outputStrength: 'HIGH' },
        ],
      },
      wordPolicyConfig: {
        wordsConfig: [{ text: 'blueberry' }],
        managedWordListsConfig: [{ type: 'PROFANITY' }],
      },
      sensitiveInformationPolicyConfig: {
        piiEntitiesConfig: [
          { type: 'EMAIL', action: 'ANONYMIZE' },
          { type: 'AWS_ACCESS_KEY', action: 'BLOCK' },
        ],
      },
      ...more,
    }),
  );
  const version = await client.send(
    new CreateGuardrailVersionCommand({ guardrailIdentifier: created.guardrailId }),
  );
  return { id: created.guardrailId ?? '', arn: created.guardrailArn ?? '', version: version.version ?? '' };
}
