/**
 * The late-2026 features through unmodified boto3 (a python3 child process, botocore's own
 * parsers): versions, tool use, structured output, caching, tiers, catalogue, validation, thinking.
 */
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { END_OF_LIFE, onDemandRefused } from '../../src/emulator/catalogue/catalogue.js';
import { useEmulator } from '../helpers/emulator.js';
import { awsEnv, run } from '../helpers/emulator-clients.js';

const used = useEmulator();
const ajv = new Ajv({ strict: false });
addFormats.default(ajv);

describe('boto3 against the late-2026 features', () => {
  it('sees every feature and rule as Bedrock shapes it', async () => {
    const script = join(import.meta.dirname, '../helpers/emulator-boto3-features.py');
    const result = await run('python3', [script], awsEnv(used.emulator.url));
    expect(result.code, result.stderr).toBe(0);
    const seen = JSON.parse(result.stdout);
    expect(seen['bedrock-2023-05-31']).toMatch(/end_turn|max_tokens/);
    expect(seen['2026-10-21']).toMatch(/end_turn|max_tokens/);
    expect(seen.badVersion.code).toBe('ValidationException');
    expect(seen.tool.stopReason).toBe('tool_use');
    expect(seen.tool.block.toolUse.name).toBe('get_weather');
    expect(seen.toolStream.start.toolUse).toEqual({
      toolUseId: seen.tool.block.toolUse.toolUseId,
      name: 'get_weather',
    });
    expect(JSON.parse(seen.toolStream.input)).toEqual(seen.tool.block.toolUse.input);
    expect(seen.toolStream.stop).toBe('tool_use');
    expect(seen.nativeTool).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    expect(seen.toolResult).toMatchObject({ stopReason: 'end_turn', text: expect.stringMatching(/\w/) });
    expect(seen.noToolConfig.message).toBe(
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
    expect(ajv.validate(seen.structured.schema, JSON.parse(seen.structured.text))).toBe(true);
    expect(() => JSON.parse(seen.badjson[0])).toThrow();
    expect(ajv.validate(seen.structured.schema, JSON.parse(seen.badjson[1]))).toBe(true);
    expect(seen.cache[0]).toMatchObject({ cacheWriteInputTokens: 5000, cacheReadInputTokens: 0 });
    expect(seen.cache[1]).toMatchObject({ cacheWriteInputTokens: 0, cacheReadInputTokens: 5000 });
    expect(seen.tier).toEqual({
      serviceTier: { type: 'priority' },
      performanceConfig: { latency: 'optimized' },
    });
    expect(seen.tierHeader).toBe('flex');
    expect(seen.tierRefused.message).toBe('The provided service tier is not supported for this model.');
    expect(seen.eol).toEqual({ code: 'ResourceNotFoundException', message: END_OF_LIFE });
    expect(seen.profileOnly).toEqual({
      code: 'ValidationException',
      message: onDemandRefused('anthropic.claude-opus-4-6-v1'),
    });
    expect(seen.current).toHaveLength(3);
    expect(seen.topP.message).toMatch(/^`temperature` and `top_p` cannot both be specified/);
    // botocore enforces the same min-length constraint itself, before the request leaves.
    expect(seen.emptyTools.code).toBe('ParamValidationError');
    expect(seen.thinking).toEqual(['reasoningContent', 'text']);
  });
});
