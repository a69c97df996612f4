import { describe, expect, it } from 'vitest';
import { errorText, jsonLine, logFormatFromArgs, progressFields } from '../../src/progress/events.js';
import { barText, duration, plainLine, rates, statsText } from '../../src/progress/format.js';
import type { Progress } from '../../src/run/run-batch.js';

function progress(fields: Partial<Progress> = {}): Progress {
  return {
    total: 1000,
    done: 120,
    ok: 119,
    error: 1,
    skipped: 0,
    attempts: 125,
    throttles: 2,
    inputTokens: 5432,
    outputTokens: 6543,
    costUsd: 0.0123,
    ...fields,
  };
}

describe('rates', () => {
  it.each([
    // done, skipped, total, elapsed ms -> finished, percent, rows/s, eta s
    [120, 0, 1000, 5000, 120, 12, 24, 880 / 24],
    [0, 0, 1000, 5000, 0, 0, 0, null],
    [10, 0, 1000, 0, 10, 1, 0, null],
    // rows kept from an earlier run count as finished, not toward the rate
    [100, 500, 1000, 10_000, 600, 60, 10, 40],
    [1000, 0, 1000, 4000, 1000, 100, 250, 0],
    [0, 0, 0, 1000, 0, 100, 0, 0],
  ])('done %i, skipped %i of %i after %i ms', (done, skipped, total, ms, finished, percent, rps, eta) => {
    const r = rates(progress({ done, skipped, total }), ms);
    expect(r.finished).toBe(finished);
    expect(r.percent).toBeCloseTo(percent, 10);
    expect(r.rowsPerSecond).toBeCloseTo(rps, 10);
    if (eta === null) expect(r.etaSeconds).toBeNull();
    else expect(r.etaSeconds).toBeCloseTo(eta, 10);
    expect(r.elapsedSeconds).toBe(ms / 1000);
  });
});

describe('duration', () => {
  it.each([
    [null, '--'],
    [Number.POSITIVE_INFINITY, '--'],
    [0, '0s'],
    [0.2, '1s'],
    [36.7, '37s'],
    [59, '59s'],
    [60, '1m00s'],
    [185, '3m05s'],
    [3599, '59m59s'],
    [3600, '1h00m'],
    [7620, '2h07m'],
    [90_000, '25h00m'],
  ])('%s s -> %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});

describe('progress text', () => {
  const p = progress();
  const r = rates(p, 5000);

  it('has every number in the plain line, with the time first', () => {
    expect(plainLine(p, r, Date.UTC(2025, 5, 1, 2, 15, 5, 678))).toBe(
      '2025-06-01T02:15:05Z progress 12% | 120/1,000 rows | 24.0 rows/s | ETA 37s | ' +
        'tokens 5,432 in, 6,543 out | $0.0123 | 2 throttled | 1 failed\n',
    );
  });

  it('says the cost is unknown before a priced row finished', () => {
    expect(statsText(progress({ costUsd: null }), r)).toContain('| cost unknown |');
  });

  it.each([
    [160, 30],
    [110, 15],
    [105, 10],
    [104, 0],
    [80, 0],
  ])('fits the bar to a terminal %i columns wide (%i bar characters)', (columns, barWidth) => {
    const text = barText(p, r, columns);
    const bar = text.match(/^[█░]*/)?.[0] ?? '';
    expect(bar.length).toBe(barWidth);
    // With a bar, the line fits (the last column stays free); without, the terminal cuts it.
    if (barWidth > 0) expect(text.length).toBeLessThan(columns);
    expect(text).toContain(
      '12% 120/1,000 rows | 24.0 rows/s | ETA 37s | 11,975 tokens | $0.0123 | 2 throttled | 1 failed',
    );
    if (barWidth > 0) expect(bar).toBe('█'.repeat(Math.floor(barWidth * 0.12)).padEnd(barWidth, '░'));
  });

  it('fills the bar only when every row is finished, and leaves out failed when none failed', () => {
    const almost = progress({ done: 999, error: 0 });
    expect(barText(almost, rates(almost, 1000), 160)).toMatch(/^█{29}░ 99% /);
    const all = progress({ done: 1000, error: 0 });
    const text = barText(all, rates(all, 1000), 160);
    expect(text).toMatch(/^█{30} 100% /);
    expect(text).not.toContain('failed');
  });
});

describe('json events', () => {
  it('writes one object per line with a type and an ISO time', () => {
    const line = jsonLine('warning', Date.UTC(2025, 0, 2, 3, 4, 5, 6), { message: 'no price' });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      type: 'warning',
      time: '2025-01-02T03:04:05.006Z',
      message: 'no price',
    });
  });

  it('carries the counters and the rates in progress events', () => {
    const p = progress();
    expect(progressFields(p, rates(p, 5000))).toEqual({
      total: 1000,
      finished: 120,
      ok: 119,
      error: 1,
      skipped: 0,
      reused: 0,
      percent: 12,
      rowsPerSecond: 24,
      etaSeconds: 37,
      elapsedSeconds: 5,
      inputTokens: 5432,
      outputTokens: 6543,
      costUsd: 0.0123,
      attempts: 125,
      throttles: 2,
    });
  });

  it.each([
    ['text', 'run-batch: --concurrency must be ..., got "0"\n'],
    [
      'json',
      '{"type":"error","time":"1970-01-01T00:00:00.000Z","code":"USAGE","exitCode":2,"message":"--concurrency must be ..., got \\"0\\""}\n',
    ],
  ] as const)('words a setup error in %s', (format, expected) => {
    const error = { message: '--concurrency must be ..., got "0"', code: 'USAGE', exitCode: 2 };
    expect(errorText(error, format, 0)).toBe(expected);
  });

  it.each([
    [[], 'text'],
    [['in.csv', '--log-format', 'json'], 'json'],
    [['--log-format=json', 'in.csv'], 'json'],
    [['--log-format', 'json', '--log-format', 'text'], 'text'],
    [['--log-format', 'xml'], 'text'],
    [['--log-format'], 'text'],
    [['--template', '--log-format json'], 'text'],
  ])('reads the log format from %j before parsing', (args, format) => {
    expect(logFormatFromArgs(args)).toBe(format);
  });
});
