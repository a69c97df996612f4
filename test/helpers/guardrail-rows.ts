/**
 * The guardrail and the rows the runner's guardrail tests share: a guardrail made on an emulator's
 * control plane with the real @aws-sdk/client-bedrock or unmodified boto3 (a custom word and EMAIL
 * ANONYMIZE, then version 1), and four rows: one plain, two holding the word, one holding an email.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BedrockClient,
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
} from '@aws-sdk/client-bedrock';
import { parse } from 'csv-parse/sync';
import { FAKE_AWS_ENV } from './cli.js';
import { awsEnv, run } from './emulator-clients.js';

export const BLOCKED_INPUT = 'That prompt is not allowed here.';
export const BLOCKED_OUTPUT = 'That answer is not allowed here.';

const BOTO3 = `
import boto3, sys
c = boto3.client("bedrock", endpoint_url=sys.argv[1])
g = c.create_guardrail(name=sys.argv[2], blockedInputMessaging=sys.argv[3], blockedOutputsMessaging=sys.argv[4],
    wordPolicyConfig={"wordsConfig": [{"text": "zorblax"}]},
    sensitiveInformationPolicyConfig={"piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"}]})
v = c.create_guardrail_version(guardrailIdentifier=g["guardrailId"])
assert v["version"] == "1", v
print(g["guardrailId"])
`;

/** The same guardrail made with boto3 in a python3 child, as the "Done when" has it. */
export async function makeGuardrailBoto3(url: string): Promise<string> {
  const name = `words-and-email-${Math.random().toString(36).slice(2)}`;
  const result = await run('python3', ['-c', BOTO3, url, name, BLOCKED_INPUT, BLOCKED_OUTPUT], awsEnv(url));
  if (result.code !== 0) throw new Error(`boto3 could not make the guardrail: ${result.stderr}`);
  return result.stdout.trim();
}

/** A guardrail with a custom word and EMAIL masked, made through the JS SDK; returns its id. */
export async function makeGuardrail(url: string): Promise<string> {
  const client = new BedrockClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  try {
    const created = await client.send(
      new CreateGuardrailCommand({
        name: `words-and-email-${Math.random().toString(36).slice(2)}`,
        blockedInputMessaging: BLOCKED_INPUT,
        blockedOutputsMessaging: BLOCKED_OUTPUT,
        wordPolicyConfig: { wordsConfig: [{ text: 'zorblax' }] },
        sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
      }),
    );
    const id = created.guardrailId as string;
    const version = await client.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: id }));
    if (version.version !== '1') throw new Error(`expected version 1, got ${version.version}`);
    return id;
  } finally {
    client.destroy();
  }
}

const ROWS = [
  ['plain', 'Name three rivers.'],
  ['word', 'Tell me about the zorblax please.'],
  ['email', 'Write a note to alice@example.com about lunch.'],
  ['word2', 'Zorblax again?'],
];

/** `in.csv` in `dir`, holding the four rows. */
export function guardrailInput(dir: string): void {
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
}

export const csvRows = (path: string) =>
  parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;
