/**
 * The wording users read: row failures a user can act on, a summary that reads right (counts with
 * thousands separators, no "stopped" on a run that finished), and passwords in URLs redacted.
 */
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/bedrock/errors.js';
import { formatSummary } from '../../src/commands/print.js';
import { redactor } from '../../src/redact.js';
import type { RunSummary } from '../../src/run/summary.js';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    input: '/w/in.csv',
    output: '/w/in.results.csv',
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:10:00.000Z',
    wallMs: 600_000,
    rows: { total: 1_234_567, ok: 1_234_000, error: 567, skipped: 12_345, changed: 0, notRun: 0 },
    tokens: { input: 5_000_000, output: 6_000_000, total: 11_000_000, cacheRead: 0, cacheWrite: 0 },
    costUsd: 1.5,
    unpricedRows: 0,
    costByModel: {},
    attempts: 1_300_000,
    throttles: 4_321,
    rowsPerSecond: 2057.6,
    errorsByCode: { ValidationException: 1_567 },
    exitCode: 1,
    ...over,
  };
}

describe('the printed summary', () => {
  it('writes row counts with thousands separators, as it does token counts', () => {
    const text = formatSummary(summary(), '/w');
    expect(text).toContain('rows      1,234,567 total: 1,234,000 ok, 567 error, 12,345 skipped');
    expect(text).toContain('1,300,000 calls, 4,321 throttled');
    expect(text).toContain('errors    1,567 ValidationException');
  });

  it('never says "stopped" on a run that finished (exit 0)', () => {
    const reason =
      'the disk is full (ENOSPC) writing in.results.csv: stopped admitting rows; free some space and run again';
    const finished = formatSummary(summary({ exitCode: 0, stopReason: reason }), '/w');
    expect(finished).not.toMatch(/^stopped/m);
    expect(finished).not.toContain('run again');
    expect(finished).toContain(
      'note      the disk is full (ENOSPC) writing in.results.csv; every row finished',
    );
    const stopped = formatSummary(summary({ exitCode: 3, stopReason: reason }), '/w');
    expect(stopped).toContain(`stopped   ${reason}`);
  });
});

describe('row failures worded for the user', () => {
  it('EMFILE names -c and ulimit -n', () => {
    const error = Object.assign(new Error('connect EMFILE 127.0.0.1:443 - Local (undefined:undefined)'), {
      code: 'EMFILE',
      $metadata: {},
    });
    expect(classifyError(error)).toMatchObject({
      code: 'EMFILE',
      message: 'too many open files (EMFILE): lower -c/--concurrency, or raise the limit with ulimit -n',
      retryable: false,
    });
  });

  it('ENFILE (the whole system out of descriptors) gets the same hint', () => {
    const error = Object.assign(new Error('wrapped'), {
      cause: Object.assign(new Error('x'), { code: 'ENFILE' }),
    });
    expect(classifyError(error).message).toContain('ulimit -n');
  });

  it('a network error is still a network error', () => {
    expect(classifyError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toMatchObject({
      code: 'ECONNRESET',
      retryable: true,
    });
  });
});

describe('a password in a URL is redacted wherever it is printed', () => {
  it.each([
    [
      '--endpoint http://alice:hunter2@proxy:8080 failed',
      '--endpoint http://alice:[REDACTED]@proxy:8080 failed',
    ],
    ['https://:tok3n@host/x', 'https://:[REDACTED]@host/x'],
    ['http://host:8080/path?a=b@c', 'http://host:8080/path?a=b@c'],
    ['mail me at a@b.c', 'mail me at a@b.c'],
  ])('%j', (text, expected) => {
    expect(redactor({})(text)).toBe(expected);
  });
});
