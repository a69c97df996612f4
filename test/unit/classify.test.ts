import { describe, expect, it } from 'vitest';
import { classifyError, retryAfter } from '../../src/bedrock/errors.js';

function sdkError(name: string, status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`${name} message`), {
    name,
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers },
  });
}

describe('classifyError', () => {
  it.each([
    ['ThrottlingException', 429, true, true],
    ['ModelNotReadyException', 429, true, true],
    ['ServiceUnavailableException', 503, true, false],
    ['InternalServerException', 500, true, false],
    ['ModelTimeoutException', 408, true, false],
    ['SomeNew5xxException', 502, true, false],
    ['ValidationException', 400, false, false],
    ['AccessDeniedException', 403, false, false],
    ['ResourceNotFoundException', 404, false, false],
    ['ServiceQuotaExceededException', 400, false, false],
    ['ModelErrorException', 424, false, false],
    ['UnrecognizedClientException', 403, false, false],
  ])('%s (%i): retryable=%s throttle=%s', (name, status, retryable, throttle) => {
    const failure = classifyError(sdkError(name, status));
    expect(failure).toMatchObject({ code: name, status, retryable, throttle, message: `${name} message` });
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ERR_HTTP2_STREAM_ERROR'])(
    'retries the network error %s, even wrapped',
    (code) => {
      const inner = Object.assign(new Error('socket'), { code });
      expect(classifyError(new Error('outer', { cause: inner }))).toMatchObject({
        code,
        retryable: true,
        throttle: false,
      });
    },
  );

  it('retries an exception that broke a stream midway', () => {
    const error = Object.assign(new Error('boom'), { name: 'ValidationException', $midStream: true });
    expect(classifyError(error)).toMatchObject({ code: 'ValidationException', retryable: true });
  });

  it('keeps the message on one line', () => {
    expect(classifyError(new Error('a\n  b')).message).toBe('a b');
  });
});

describe('retryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'Retry-After': '1.5' }, 1500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }, 10_000],
    [{ 'x-amz-retry-after': '1500' }, 1500],
    [{ 'x-amz-retry-after': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%j gives %s ms', (headers, expected) => {
    expect(retryAfter(headers, now)).toBe(expected);
  });
});

describe('classifyError on timeouts', () => {
  it('names the timeout, not the socket reset it caused', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const timeout = Object.assign(new Error('no complete response within 1000 ms', { cause: reset }), {
      name: 'TimeoutError',
    });
    expect(classifyError(timeout)).toMatchObject({ code: 'TimeoutError', retryable: true });
  });
});
