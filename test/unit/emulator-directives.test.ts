import { describe, expect, it } from 'vitest';
import {
  Arrivals,
  type Directives,
  parseDirectives,
  scripted,
} from '../../src/emulator/behaviour/directives.js';

describe('emulator directives', () => {
  it.each<[string[], Directives]>([
    [['plain prompt'], {}],
    [['[[emulator:throttle=2]] hi'], { throttle: 2 }],
    [['[[emulator:error=AccessDeniedException]]'], { error: 'AccessDeniedException' }],
    [
      ['x [[emulator:fail=3:ServiceUnavailableException]] y'],
      { fail: { times: 3, exception: 'ServiceUnavailableException' } },
    ],
    [['[[emulator:latency=250]]'], { latencyMs: 250 }],
    [['[[emulator:tokens=0]]'], { tokens: 0 }],
    [['[[emulator:midstream=ModelStreamErrorException]]'], { midstream: 'ModelStreamErrorException' }],
    [['[[emulator:midstream=throttlingException]]'], { midstream: 'ThrottlingException' }],
    [['system [[emulator:tokens=5]]', 'user [[emulator:throttle=1]]'], { tokens: 5, throttle: 1 }],
    [
      ['[[emulator:guardrail=HATE]] [[emulator:guardrail=output:VIOLENCE:LOW]]'],
      {
        guardrail: [
          { output: false, type: 'HATE', confidence: 'HIGH' },
          { output: true, type: 'VIOLENCE', confidence: 'LOW' },
        ],
      },
    ],
  ])('reads %j', (texts, expected) => {
    expect(parseDirectives(texts)).toEqual(expected);
  });

  it.each([
    ['[[emulator:throttle=two]]', 'expected a whole number'],
    ['[[emulator:error=NoSuchException]]', 'unknown exception name'],
    ['[[emulator:fail=2]]', 'unknown exception name'],
    ['[[emulator:midstream=AccessDeniedException]]', 'expected one of InternalServerException'],
    ['[[emulator:latncy=5]]', 'unknown directive'],
    ['[[emulator:guardrail=RUDE]]', 'expected [output:]TYPE[:LOW|MEDIUM|HIGH]'],
    ['[[emulator:guardrail=HATE:EXTREME]]', 'expected [output:]TYPE[:LOW|MEDIUM|HIGH]'],
  ])('refuses %s with a ValidationException naming it', (text, reason) => {
    expect(() => parseDirectives([text])).toThrow(
      expect.objectContaining({ exception: 'ValidationException' }),
    );
    expect(() => parseDirectives([text])).toThrow(`Emulator directive ${text}: ${reason}`);
  });

  it.each<[Directives, Array<string | undefined>]>([
    [{}, [undefined, undefined]],
    [{ throttle: 2 }, ['throttle', 'throttle', undefined, undefined]],
    [{ fail: { times: 1, exception: 'InternalServerException' } }, ['InternalServerException', undefined]],
    [
      { error: 'AccessDeniedException' },
      ['AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException'],
    ],
    [
      { throttle: 1, fail: { times: 2, exception: 'ModelTimeoutException' } },
      ['throttle', 'ModelTimeoutException', 'ModelTimeoutException', undefined],
    ],
  ])('scripts %j over successive arrivals as %j', (directives, expected) => {
    const got = expected.map((_, i) => {
      const s = scripted(directives, i + 1);
      return s === undefined ? undefined : s.kind === 'throttle' ? 'throttle' : s.exception;
    });
    expect(got).toEqual(expected);
  });

  it('counts arrivals per operation, model and exact body bytes', () => {
    const arrivals = new Arrivals();
    const body = Buffer.from('{"a":1}');
    expect(arrivals.arrive('converse', 'm', body)).toBe(1);
    expect(arrivals.arrive('converse', 'm', Buffer.from('{"a":1}'))).toBe(2);
    expect(arrivals.arrive('converse', 'm', Buffer.from('{"a": 1}'))).toBe(1);
    expect(arrivals.arrive('converse-stream', 'm', body)).toBe(1);
    expect(arrivals.arrive('converse', 'other', body)).toBe(1);
    arrivals.reset();
    expect(arrivals.arrive('converse', 'm', body)).toBe(1);
  });
});
