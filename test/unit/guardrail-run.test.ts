/**
 * --guardrail in the runner, the pure parts: the option's check (botocore's GuardrailIdentifier and
 * GuardrailVersion patterns), batch mode refused, the request on the wire (Converse guardrailConfig,
 * InvokeModel's header members) and the trace read back in both of Bedrock's shapes. The rest is
 * in guardrail-cost.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converseInput, converseResult } from '../../src/bedrock/converse.js';
import { guardrailHeaders, InvokeGuardrail } from '../../src/bedrock/guardrail.js';
import { readGuardrailTrace, traceText } from '../../src/bedrock/guardrail-trace.js';
import { leverFields } from '../../src/cost/levers.js';
import { parseGuardrail } from '../../src/job/guardrail-options.js';
import { resolveSpec } from '../../src/job/resolve.js';
import type { GuardrailRequest, PromptRequest } from '../../src/types.js';

const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123';

function request(guardrail?: GuardrailRequest): PromptRequest {
  return {
    index: 0,
    line: 2,
    id: '1',
    row: {},
    model: HAIKU,
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
    inference: { maxTokens: 100, stopSequences: [] },
    ...(guardrail ? { guardrail } : {}),
  };
}

const G1: GuardrailRequest = { id: 'abc123', version: '1', trace: 'enabled' };

describe('--guardrail ID[:VERSION]', () => {
  it.each([
    ['abc123', { id: 'abc123', version: 'DRAFT' }],
    ['abc123:1', { id: 'abc123', version: '1' }],
    ['abc123:DRAFT', { id: 'abc123', version: 'DRAFT' }],
    ['abc123:99999999', { id: 'abc123', version: '99999999' }],
    [ARN, { id: ARN, version: 'DRAFT' }],
    [`${ARN}:7`, { id: ARN, version: '7' }],
  ])('%s is %o', (value, expected) => {
    expect(parseGuardrail('guardrail', value)).toEqual(expected);
  });

  it.each([
    ['abc123:0', 'version must be DRAFT or a number from 1 to 99999999, got "0"'],
    ['abc123:100000000', 'version must be DRAFT or a number from 1 to 99999999'],
    ['abc123:draft', 'version must be DRAFT'],
    ['ABC', 'must be a guardrail id (lower-case letters and digits) or guardrail ARN'],
    ['my-guard', 'must be a guardrail id'],
    ['arn:aws:bedrock:us-east-1:123:guardrail/x', 'must be a guardrail id'],
    ['', 'must be a non-empty text'],
  ])('refuses %j', (value, message) => {
    expect(() => parseGuardrail('guardrail', value)).toThrow(message);
  });
});

describe('resolving a run with a guardrail', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'guardrail-options-'));
  writeFileSync(join(cwd, 'in.csv'), 'prompt\nx\n');
  const ctx = { cwd, env: {} };

  it('keeps the guardrail and the trace (disabled by default)', () => {
    const spec = resolveSpec({ input: 'in.csv', guardrail: 'abc:3' }, ctx);
    expect(spec.guardrail).toEqual({ id: 'abc', version: '3' });
    expect(spec.guardrailTrace).toBe('disabled');
    expect(resolveSpec({ input: 'in.csv' }, ctx).guardrail).toBeUndefined();
  });

  it('refuses --mode batch with a guardrail, saying why (exit 2)', () => {
    const raw = { input: 'in.csv', guardrail: 'abc', mode: 'batch', emulate: true };
    expect(() => resolveSpec(raw, ctx)).toThrow(
      /--mode batch cannot apply --guardrail: Bedrock Batch Inference/,
    );
    try {
      resolveSpec(raw, ctx);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
    // auto is allowed: it runs on demand.
    expect(resolveSpec({ ...raw, mode: 'auto' }, ctx).batch.mode).toBe('auto');
  });

  it('refuses a trace outside the enum', () => {
    expect(() => resolveSpec({ input: 'in.csv', 'guardrail-trace': 'on' }, ctx)).toThrow(
      '--guardrail-trace must be one of enabled, enabled_full, disabled, got "on"',
    );
  });

  it('writes guardrail_action and guardrail_usd, and guardrail_trace only with a trace', () => {
    const base = { serviceTier: undefined, cacheSystem: undefined };
    expect(leverFields({ ...base }, [])).toEqual([]);
    expect(
      leverFields({ ...base, guardrail: { id: 'a', version: '1' }, guardrailTrace: 'disabled' }, []),
    ).toEqual(['guardrail_action', 'guardrail_usd']);
    expect(
      leverFields({ ...base, guardrail: { id: 'a', version: '1' }, guardrailTrace: 'enabled_full' }, []),
    ).toEqual(['guardrail_action', 'guardrail_trace', 'guardrail_usd']);
  });
});

describe('on the wire', () => {
  it('Converse carries guardrailConfig; without a guardrail nothing', () => {
    expect(converseInput(request(G1)).guardrailConfig).toEqual({
      guardrailIdentifier: 'abc123',
      guardrailVersion: '1',
      trace: 'enabled',
    });
    expect(converseInput(request())).not.toHaveProperty('guardrailConfig');
  });

  it('InvokeModel carries the header members, trace upper-case as its enum', () => {
    expect(guardrailHeaders(request({ ...G1, trace: 'enabled_full' }))).toEqual({
      guardrailIdentifier: 'abc123',
      guardrailVersion: '1',
      trace: 'ENABLED_FULL',
    });
    expect(guardrailHeaders(request())).toEqual({});
  });

  it('asks for the trace even under --guardrail-trace disabled: the billed units are only in it', () => {
    const off = request({ ...G1, trace: 'disabled' });
    expect(converseInput(off).guardrailConfig?.trace).toBe('enabled');
    expect(guardrailHeaders(off).trace).toBe('ENABLED');
  });
});

const ASSESSMENT = {
  wordPolicy: { customWords: [{ match: 'zorp', action: 'BLOCKED', detected: true }] },
  sensitiveInformationPolicy: {
    piiEntities: [{ match: 'a@b.example', type: 'EMAIL', action: 'ANONYMIZED', detected: true }],
  },
  invocationMetrics: {
    guardrailProcessingLatency: 12,
    usage: {
      topicPolicyUnits: 0,
      contentPolicyUnits: 1,
      wordPolicyUnits: 1,
      sensitiveInformationPolicyUnits: 1,
      sensitiveInformationPolicyFreeUnits: 0,
      contextualGroundingPolicyUnits: 0,
    },
  },
};

describe('the answer read back', () => {
  it('Converse: guardrail_intervened with the trace read, units summed over input and output', () => {
    const result = converseResult(
      {
        output: { message: { role: 'assistant', content: [{ text: 'Sorry, blocked.' }] } },
        stopReason: 'guardrail_intervened',
        usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        trace: {
          guardrail: {
            inputAssessment: { abc123: ASSESSMENT },
            outputAssessments: { abc123: [ASSESSMENT] },
            actionReason: 'Guardrail blocked.',
          },
        },
        metrics: { latencyMs: 1 },
        $metadata: {},
      } as never,
      request(G1),
    );
    expect(result.text).toBe('Sorry, blocked.');
    expect(result.guardrail?.action).toBe('INTERVENED');
    expect(result.guardrail?.units?.contentPolicyUnits).toBe(2);
    expect(result.guardrail?.units?.sensitiveInformationPolicyUnits).toBe(2);
    expect(result.guardrail?.findings).toContainEqual({
      source: 'input',
      policy: 'sensitiveInformation',
      list: 'piiEntities',
      match: 'a@b.example',
      type: 'EMAIL',
      action: 'ANONYMIZED',
      detected: true,
    });
    const text = JSON.parse(traceText(result.guardrail as never));
    expect(text.reason).toBe('Guardrail blocked.');
    expect(text.findings).toHaveLength(4);
    expect(text.units).toEqual({
      contentPolicyUnits: 2,
      wordPolicyUnits: 2,
      sensitiveInformationPolicyUnits: 2,
    });
  });

  it('Converse without a trace: the action from the stop reason, no units', () => {
    const out = { output: { message: { content: [{ text: 'ok' }] } }, stopReason: 'end_turn', $metadata: {} };
    const result = converseResult(out as never, request({ ...G1, trace: 'disabled' }));
    expect(result.guardrail).toEqual({ action: 'NONE' });
    expect(converseResult(out as never, request()).guardrail).toBeUndefined();
  });

  it('InvokeModel: amazon-bedrock-guardrailAction and amazon-bedrock-trace', () => {
    const guardrail = new InvokeGuardrail();
    guardrail.add({ 'amazon-bedrock-guardrailAction': 'INTERVENED' });
    guardrail.add({ 'amazon-bedrock-trace': { guardrail: { input: { abc123: ASSESSMENT }, outputs: [] } } });
    const result = guardrail.apply(request(G1), {
      text: 'Sorry, blocked.',
      stopReason: 'end_turn',
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(result.stopReason).toBe('guardrail_intervened');
    expect(result.guardrail?.action).toBe('INTERVENED');
    expect(result.guardrail?.units?.sensitiveInformationPolicyUnits).toBe(1);
  });

  it('a trace without guardrail assessments is no trace', () => {
    expect(readGuardrailTrace(undefined)).toBeUndefined();
    expect(readGuardrailTrace({})).toBeUndefined();
  });
});
