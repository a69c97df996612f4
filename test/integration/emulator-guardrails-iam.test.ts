/**
 * The emulator's two IAM knobs for guardrails, through the real JS SDK: `requireGuardrail` denies
 * model calls that name no guardrail (an IAM condition on `bedrock:GuardrailIdentifier`, issue 24),
 * `deniedGuardrailActions` denies control-plane actions (a role without `bedrock:GetGuardrail`).
 * Both answer AccessDeniedException (403), as IAM's denials reach Bedrock's clients.
 */
import { GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ConverseCommand, CountTokensCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { HAIKU, sdkClient } from '../helpers/emulator-clients.js';
import { controlClient, makeGuardrail } from '../helpers/emulator-guardrails.js';

const used = useEmulator({ requireGuardrail: true, deniedGuardrailActions: ['GetGuardrail'] });
const messages = [{ role: 'user' as const, content: [{ text: 'Hello there' }] }];
const failure = (e: Error & { $metadata?: { httpStatusCode?: number } }) => [
  e.name,
  e.$metadata?.httpStatusCode,
  e.message,
];

describe('requireGuardrail', () => {
  it('denies Converse and InvokeModel without a guardrail, and lets them through with one', async () => {
    const client = sdkClient(used.emulator.url, 'h2');
    const bare = await client.send(new ConverseCommand({ modelId: HAIKU, messages })).catch(failure);
    expect(bare).toEqual([
      'AccessDeniedException',
      403,
      expect.stringContaining('is not authorized to perform: bedrock:InvokeModel'),
    ]);
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages });
    const invoked = await client.send(new InvokeModelCommand({ modelId: HAIKU, body })).catch(failure);
    expect(invoked).toEqual(['AccessDeniedException', 403, expect.stringContaining('explicit deny')]);
    // CountTokens runs no model: not denied.
    const counted = await client.send(
      new CountTokensCommand({ modelId: HAIKU, input: { converse: { messages } } }),
    );
    expect(counted.inputTokens).toBeGreaterThan(0);
    const guardrail = await makeGuardrail(used.emulator.url, 'iam-guardrail');
    const guarded = await client.send(
      new ConverseCommand({
        modelId: HAIKU,
        messages,
        guardrailConfig: { guardrailIdentifier: guardrail.id, guardrailVersion: guardrail.version },
      }),
    );
    expect(guarded.stopReason).toBe('end_turn');
    expect(used.emulator.stats().byException).toEqual({ AccessDeniedException: 2 });
  });
});

describe('deniedGuardrailActions', () => {
  it('denies GetGuardrail only: ListGuardrails still answers', async () => {
    const control = controlClient(used.emulator.url);
    const guardrail = await makeGuardrail(used.emulator.url, 'denied-get');
    const got = await control
      .send(new GetGuardrailCommand({ guardrailIdentifier: guardrail.id }))
      .catch(failure);
    expect(got).toEqual([
      'AccessDeniedException',
      403,
      expect.stringContaining('not authorized to perform: bedrock:GetGuardrail'),
    ]);
    const listed = await control.send(new ListGuardrailsCommand({}));
    expect(listed.guardrails?.map((g) => g.name)).toEqual(['denied-get']);
  });
});
