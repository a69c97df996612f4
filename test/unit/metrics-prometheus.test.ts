/** The Prometheus text of a snapshot: escaping, the families left out, the last success read back. */
import { describe, expect, it } from 'vitest';
import { lastSuccessIn, type MetricsSnapshot, prometheusText } from '../../src/metrics/prometheus.js';
import { parseProm, promtool, sample } from '../helpers/prom.js';

const base: MetricsSnapshot = {
  job: 'nightly "tickets"\\eu\nsecond line',
  model: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
  rows: { ok: 5, failed: 1, reused: 2, skipped: 3, notRun: 4 },
  tokens: { input: 100, output: 200, cacheRead: 30, cacheWrite: 40 },
  costUsd: 0.000123,
  calls: 9,
  throttles: 3,
  retries: 3,
  startedAtMs: 1_700_000_000_000,
  durationMs: 1500,
  running: true,
};

describe('prometheusText', () => {
  it('passes promtool and reads back, with any job name', () => {
    const text = prometheusText(base);
    expect(promtool(text)).toBe('');
    const samples = parseProm(text);
    expect(new Set(samples.map((s) => s.labels.run_batch_job))).toEqual(new Set([base.job]));
    expect(samples.every((s) => s.labels.job === undefined)).toBe(true);
    expect(sample(samples, 'run_batch_rows', { status: 'reused' })).toBe(2);
    expect(sample(samples, 'run_batch_tokens_total', { kind: 'cache_write' })).toBe(40);
    expect(sample(samples, 'run_batch_cost_usd_total')).toBe(0.000123);
    expect(sample(samples, 'run_batch_duration_seconds')).toBe(1.5);
    expect(sample(samples, 'run_batch_running')).toBe(1);
  });

  it.each([
    ['an unknown cost', { costUsd: null }, 'run_batch_cost_usd_total'],
    ['a run still going', {}, 'run_batch_exit_code'],
    ['no success yet', {}, 'run_batch_last_success_timestamp_seconds'],
  ])('leaves a family out for %s', (_, change, name) => {
    const text = prometheusText({ ...base, ...change });
    expect(text).not.toContain(name);
    expect(promtool(text)).toBe('');
  });

  it('reads the last success back for the same job and model only', () => {
    const text = prometheusText({ ...base, running: false, exitCode: 0, lastSuccessMs: 1_700_000_123_000 });
    expect(lastSuccessIn(text, base.job, base.model)).toBe(1_700_000_123_000);
    expect(lastSuccessIn(text, 'other', base.model)).toBeUndefined();
    expect(lastSuccessIn('garbage', base.job, base.model)).toBeUndefined();
  });
});
