/** The report chart's labels: long model ids keep what tells them apart (issue 25, item 6). */
import { describe, expect, it } from 'vitest';
import { shortKey } from '../../src/cost/html.js';

describe('shortKey', () => {
  it.each([
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'us.claude-haiku-4-5-20251001-v1:0'],
    ['eu.anthropic.claude-haiku-4-5-20251001-v1:0', 'eu.claude-haiku-4-5-20251001-v1:0'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'global.claude-haiku-4-5-20251001-v1:0'],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us.claude-sonnet-4-5-20250929-v1:0',
    ],
    ['amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
    ['runs/2026-12/nightly/tickets-full.results.csv', 'runs/2026-12/nightly…ts-full.results.csv'],
  ])('%s -> %s', (key, shown) => {
    expect(shortKey(key)).toBe(shown);
    expect(shortKey(key).length).toBeLessThanOrEqual(40);
  });

  it('keeps three Haiku profiles apart', () => {
    const keys = ['us.', 'eu.', 'global.'].map((p) =>
      shortKey(`${p}anthropic.claude-haiku-4-5-20251001-v1:0`),
    );
    expect(new Set(keys).size).toBe(3);
  });
});
