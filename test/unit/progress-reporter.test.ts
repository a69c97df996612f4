import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatSummary } from '../../src/commands/print.js';
import { createReporter, PLAIN_INTERVAL_MS, type ReporterOptions } from '../../src/progress/reporter.js';
import type { Progress } from '../../src/run/run-batch.js';
import type { RunSummary } from '../../src/run/summary.js';

const P: Progress = {
  total: 40,
  done: 10,
  ok: 9,
  error: 1,
  skipped: 0,
  attempts: 11,
  throttles: 1,
  inputTokens: 200,
  outputTokens: 300,
  costUsd: 0.0005,
};

function summary(exitCode: number): RunSummary {
  return {
    input: '/w/in.csv',
    output: '/w/in.results.csv',
    startedAt: '2025-06-01T02:15:00.000Z',
    finishedAt: '2025-06-01T02:15:04.000Z',
    wallMs: 4000,
    rows: { total: 40, ok: 39, error: 1, skipped: 0, changed: 0, notRun: 0 },
    tokens: { input: 800, output: 1200, total: 2000, cacheRead: 0, cacheWrite: 0 },
    costUsd: null,
    unpricedRows: 39,
    costByModel: {},
    attempts: 41,
    throttles: 1,
    rowsPerSecond: 10,
    errorsByCode: { ValidationException: 1 },
    exitCode,
  };
}

let out: string[];
const write = (text: string) => void out.push(text);
const text = () => out.join('');
const lines = () =>
  text()
    .split('\n')
    .filter((line) => line !== '');

function reporter(options: Partial<ReporterOptions>) {
  return createReporter({
    format: 'text',
    quiet: false,
    isTTY: false,
    write,
    summaryText: (summary) => formatSummary(summary, '/w'),
    ...options,
  });
}

beforeEach(() => {
  out = [];
  vi.useFakeTimers({ now: Date.UTC(2025, 5, 1, 2, 15, 0) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('off a terminal', () => {
  it(`writes a plain line every ${PLAIN_INTERVAL_MS} ms once rows finish, then the summary`, () => {
    const r = reporter({});
    vi.advanceTimersByTime(3 * PLAIN_INTERVAL_MS);
    expect(out).toEqual([]); // nothing finished yet: nothing to say
    r.progress(P);
    vi.advanceTimersByTime(PLAIN_INTERVAL_MS - 1);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    r.progress({ ...P, done: 20, ok: 19 });
    vi.advanceTimersByTime(2 * PLAIN_INTERVAL_MS);
    expect(lines()).toEqual([
      '2025-06-01T02:15:20Z progress 25% | 10/40 rows | 0.5 rows/s | ETA 1m00s | tokens 200 in, 300 out | $0.0005 | 1 throttled | 1 failed',
      '2025-06-01T02:15:25Z progress 50% | 20/40 rows | 0.8 rows/s | ETA 25s | tokens 200 in, 300 out | $0.0005 | 1 throttled | 1 failed',
      '2025-06-01T02:15:30Z progress 50% | 20/40 rows | 0.7 rows/s | ETA 30s | tokens 200 in, 300 out | $0.0005 | 1 throttled | 1 failed',
    ]);
    out = [];
    r.finish(summary(1));
    expect(text()).toMatch(
      /^rows {6}40 total: 39 ok, 1 error, 0 skipped\n[\s\S]*results {3}in\.results\.csv\n$/,
    );
    out = [];
    vi.advanceTimersByTime(10 * PLAIN_INTERVAL_MS);
    r.close();
    expect(out).toEqual([]);
  });

  it('takes its interval from the options', () => {
    const r = reporter({ intervalMs: 100 });
    r.progress(P);
    vi.advanceTimersByTime(1000);
    expect(lines()).toHaveLength(10);
    r.close();
  });

  it('writes warnings as they come', () => {
    const r = reporter({});
    r.warning('no price for model "acme.x"');
    expect(text()).toBe('run-batch: warning: no price for model "acme.x"\n');
    r.close();
  });
});

describe('--log-format json', () => {
  it.each([false, true])('writes one object per line for every event (terminal: %s)', (isTTY) => {
    const r = reporter({ format: 'json', isTTY });
    r.warning('no price');
    r.progress(P);
    vi.advanceTimersByTime(PLAIN_INTERVAL_MS);
    r.finish(summary(0));
    const events = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual(['warning', 'progress', 'summary']);
    expect(events[0]).toEqual({ type: 'warning', time: '2025-06-01T02:15:00.000Z', message: 'no price' });
    expect(events[1]).toMatchObject({ type: 'progress', finished: 10, total: 40, percent: 25, throttles: 1 });
    expect(events[2]).toMatchObject({
      type: 'summary',
      exitCode: 0,
      rows: summary(0).rows,
      output: '/w/in.results.csv',
    });
    expect(text()).not.toContain('\x1b[');
  });
});

describe('--quiet', () => {
  it.each(['text', 'json'] as const)('prints nothing in %s for a run that ends with exit 0', (format) => {
    const r = reporter({ format, quiet: true, isTTY: true });
    r.progress(P);
    r.warning('no price');
    vi.advanceTimersByTime(10 * PLAIN_INTERVAL_MS);
    r.finish(summary(0));
    expect(out).toEqual([]);
  });

  it.each([1, 3])('prints the summary of a run that ends with exit %i', (exitCode) => {
    const r = reporter({ quiet: true });
    r.progress(P);
    vi.advanceTimersByTime(10 * PLAIN_INTERVAL_MS);
    expect(out).toEqual([]);
    r.finish(summary(exitCode));
    expect(text()).toMatch(/^rows {6}40 total/);
  });

  it('prints it as a json summary event with --log-format json', () => {
    const r = reporter({ quiet: true, format: 'json' });
    r.finish(summary(3));
    expect(lines().map((line) => JSON.parse(line).type)).toEqual(['summary']);
  });
});

describe('on a terminal', () => {
  it('draws a live bar, prints warnings above it, and leaves the final bar above the summary', () => {
    const r = reporter({ isTTY: true, columns: () => 150 });
    r.warning('before the bar');
    r.progress(P);
    vi.advanceTimersByTime(500);
    const drawn = text();
    expect(drawn).toContain('run-batch: warning: before the bar\n');
    expect(drawn).toContain('\u001b[1G'); // redrawn in place
    expect(drawn).toContain(`${'█'.repeat(7)}${'░'.repeat(23)} 25% 10/40 rows |`);
    expect(drawn).toContain('| 500 tokens | $0.0005 | 1 throttled | 1 failed');

    out = [];
    r.warning('during the bar');
    r.progress({ ...P, done: 40, ok: 39 });
    r.finish(summary(1));
    const end = text();
    const warning = end.indexOf('run-batch: warning: during the bar\n');
    const fullBar = end.lastIndexOf(`${'█'.repeat(30)} 100% 40/40 rows`);
    const rows = end.indexOf('rows      40 total');
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(fullBar).toBeGreaterThan(warning);
    expect(rows).toBeGreaterThan(fullBar);

    out = [];
    vi.advanceTimersByTime(5000);
    r.close();
    expect(out).toEqual([]); // stopped: no more redraws
  });

  it('draws nothing when no row finished (a run that failed to start)', () => {
    const r = reporter({ isTTY: true });
    vi.advanceTimersByTime(2000);
    r.close();
    r.close();
    expect(out).toEqual([]);
  });
});
