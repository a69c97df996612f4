/**
 * --guardrail in the runner, the pure parts: the option's check (botocore's GuardrailIdentifier and
 * GuardrailVersion patterns), batch mode refused, the request on the wire (Converse guardrailConfig,
 * InvokeModel's header members), the trace read back in both of Bedrock's shapes, the price of its
 * text units, the fingerprint (an answer bought without a guardrail is never this row's), DRAFT
 * never answered from the ledger, and a blocked answer kept as it is under --json-schema.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { converseInput, converseResult } from '../../src/bedrock/converse.js';
import { guardrailHeaders, InvokeGuardrail } from '../../src/bedrock/guardrail.js';
import { noUnits, readGuardrailTrace, traceText } from '../../src/bedrock/guardrail-trace.js';
import { Aggregator } from '../../src/cost/aggregate.js';
import { Pricer } from '../../src/cost/cost.js';
import { guardrailCost, guardrailUsd } from '../../src/cost/guardrail-cost.js';
import { leverFields } from '../../src/cost/levers.js';
import { loadPriceTable } from '../../src/cost/load.js';
import { renderJson, renderTable } from '../../src/cost/render.js';
import { answerPolicy } from '../../src/engines/ondemand/answer-checks.js';
import { notAws } from '../../src/engines/ondemand/guardrail-check.js';
import { parseGuardrail } from '../../src/job/guardrail-options.js';
import { resolveSpec } from '../../src/job/resolve.js';
import { fingerprint } from '../../src/plan/fingerprint.js';
import type { PlannedRow } from '../../src/plan/plan.js';
import { fromLedger } from '../../src/run/reuse-rows.js';
import type { AnswerPlan, GuardrailRequest, PromptRequest, ResultRecord } from '../../src/types.js';

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

describe('the price of text units', () => {
  it('prices each policy type per 1,000 units; word filters are free', () => {
    // 2 content (0.15/1000) + 3 sensitive (0.10/1000) + 5 word (free) = 0.0006
    const units = {
      ...noUnits(),
      contentPolicyUnits: 2,
      sensitiveInformationPolicyUnits: 3,
      wordPolicyUnits: 5,
    };
    expect(guardrailUsd(units)).toBe(0.0006);
    expect(guardrailUsd({ ...noUnits(), wordPolicyUnits: 9 })).toBe(0);
    expect(guardrailUsd(undefined)).toBeNull();
    expect(guardrailCost({ ...noUnits(), automatedReasoningPolicyUnits: 1 })).toEqual({
      missing: 'automatedReasoningPolicyUnits',
    });
  });

  it('cost_usd is the tokens plus guardrail_usd', () => {
    const pricer = new Pricer(loadPriceTable());
    const record = {
      status: 'ok',
      model: 'amazon.nova-micro-v1:0',
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
    } as ResultRecord;
    expect(pricer.recordCost(record)).toBe(0);
    expect(pricer.recordCost({ ...record, guardrail_usd: 0.00035 })).toBe(0.00035);
  });
});

describe('the ledger', () => {
  it('a guardrail, or another version of it, is another request', () => {
    const plain = fingerprint(request());
    const one = fingerprint(request(G1));
    expect(one).not.toBe(plain);
    expect(fingerprint(request({ ...G1, version: '2' }))).not.toBe(one);
    expect(fingerprint(request({ ...G1, id: 'other' }))).not.toBe(one);
    expect(fingerprint(request(G1))).toBe(one);
  });

  it('answers under DRAFT never come from the ledger', () => {
    const row = (g?: GuardrailRequest) => ({ request: request(g) }) as PlannedRow;
    expect(fromLedger(row())).toBe(true);
    expect(fromLedger(row(G1))).toBe(true);
    expect(fromLedger(row({ ...G1, version: 'DRAFT' }))).toBe(false);
  });
});

describe('--json-schema', () => {
  it('keeps a blocked answer as it is: no schema check, no retry', () => {
    const plan = { schemaText: '{"type":"object"}', retries: 2, maxTokensLimit: 1000 } as AnswerPlan;
    const policy = answerPolicy(plan, 100);
    const blocked = {
      text: 'Sorry, blocked.',
      stopReason: 'guardrail_intervened',
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    };
    expect(policy.decide(blocked)).toEqual({ kind: 'accept', result: blocked });
    expect(policy.decide({ ...blocked, stopReason: 'end_turn' }).kind).toBe('retry');
  });
});

describe('where GetGuardrail is asked', () => {
  it.each([
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['https://proxy.internal.example/bedrock', 'https://proxy.internal.example/bedrock'],
    ['https://bedrock-runtime.us-east-1.amazonaws.com', undefined],
    ['https://bedrock-runtime.cn-north-1.amazonaws.com.cn', undefined],
    ['https://bedrock-runtime.us-east-1.api.aws', undefined],
    [undefined, undefined],
  ])('--endpoint %s serves the control plane too: %s', (endpoint, expected) => {
    expect(notAws(endpoint)).toBe(expected);
  });
});

describe('report', () => {
  it('adds up the guardrail rows, interventions and cost, and says so under the table', () => {
    const agg = new Aggregator('model', ['a.csv']);
    const row = { job: 'a.csv', model: 'm', status: 'ok', day: '', inputTokens: 0, outputTokens: 0 };
    const tokens = { cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, tier: 'default' };
    agg.add({ ...row, ...tokens, cost: 100n, guardrailAction: 'INTERVENED', guardrailCost: 100n });
    agg.add({ ...row, ...tokens, cost: 300n, guardrailAction: 'NONE', guardrailCost: 200n });
    agg.add({ ...row, ...tokens, cost: 300n });
    const report = agg.report();
    expect(report.total).toMatchObject({ guardrailRows: 2, guardrailIntervened: 1, guardrailCost: 300n });
    expect(renderTable(report)).toMatch(/2 rows ran under a guardrail \(1 intervened\)/);
    expect(JSON.parse(renderJson(report)).total).toMatchObject({ guardrail_rows: 2, guardrail_usd: 3e-10 });
  });
});
