import { describe, expect, it } from 'vitest';
import { reservation } from '../../src/plan/reservation.js';
import { promptRequest } from '../helpers/batch-rows.js';

describe("what a call reserves against the quota when it starts, as Bedrock's does", () => {
  it('max_tokens for a request built from the row', () => {
    const r = reservation(promptRequest(1, 'x'.repeat(400)));
    expect(r.output).toBe(promptRequest(1, '').inference.maxTokens);
    expect(r.input).toBeGreaterThanOrEqual(100);
  });

  it("a native body's own limit", () => {
    const nativeBody = {
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      inferenceConfig: { maxTokens: 77 },
    };
    expect(reservation(promptRequest(1, '', { nativeBody, model: 'amazon.nova-micro-v1:0' })).output).toBe(
      77,
    );
  });

  it("the model's most output when a native body sets no limit (Nova Micro: 10,000)", () => {
    const nativeBody = { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
    expect(reservation(promptRequest(1, '', { nativeBody, model: 'amazon.nova-micro-v1:0' })).output).toBe(
      10_000,
    );
  });
});
