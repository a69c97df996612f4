import { describe, expect, it } from 'vitest';
import { noUnits } from '../../src/bedrock/guardrail-trace.js';
import { Aggregator } from '../../src/cost/aggregate.js';
import { Pricer } from '../../src/cost/cost.js';
import { guardrailCost, guardrailUsd } from '../../src/cost/guardrail-cost.js';
import { loadPriceTable } from '../../src/cost/load.js';
import { renderJson, renderTable } from '../../src/cost/render.js';
import { answerPolicy } from '../../src/engines/ondemand/answer-checks.js';
import { notAws } from '../../src/engines/ondemand/guardrail-check.js';
import { fingerprint } from '../../src/plan/fingerprint.js';
import type { PlannedRow } from '../../src/plan/plan.js';
import { fromLedger } from '../../src/run/reuse-rows.js';
import type { AnswerPlan, GuardrailRequest, PromptRequest, ResultRecord } from '../../src/types.js';

const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const _ARN = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123';

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
