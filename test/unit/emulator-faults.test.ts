import { describe, expect, it } from 'vitest';
import { type Fault, type FaultScope, Faults } from '../../src/emulator/behaviour/faults.js';

function label(fault: Fault | undefined): string {
  if (!fault) return 'none';
  return fault.kind === 'drop' ? 'drop' : `${fault.kind}:${fault.exception}`;
}

function sequence(rate: number, seed: number, scope: FaultScope, n: number): string[] {
  const faults = new Faults(rate, seed);
  return Array.from({ length: n }, () => label(faults.next(scope)));
}

describe('emulator faults', () => {
  it('is reproducible per seed and differs between seeds', () => {
    expect(sequence(0.3, 7, 'plain', 200)).toEqual(sequence(0.3, 7, 'plain', 200));
    expect(sequence(0.3, 7, 'plain', 200)).not.toEqual(sequence(0.3, 8, 'plain', 200));
  });

  it('starts over from the seed on reset', () => {
    const faults = new Faults(0.5, 3);
    const first = Array.from({ length: 20 }, () => label(faults.next('stream')));
    faults.reset();
    expect(Array.from({ length: 20 }, () => label(faults.next('stream')))).toEqual(first);
  });

  it.each<[FaultScope, string[]]>([
    [
      'plain',
      [
        'drop',
        'error:InternalServerException',
        'error:ModelTimeoutException',
        'error:ServiceUnavailableException',
      ],
    ],
    [
      'stream',
      [
        'drop',
        'error:InternalServerException',
        'error:ModelTimeoutException',
        'error:ServiceUnavailableException',
        'midstream:InternalServerException',
        'midstream:ModelStreamErrorException',
      ],
    ],
    ['count-tokens', ['drop', 'error:InternalServerException', 'error:ServiceUnavailableException']],
  ])('at rate 1, %s requests meet every kind their operation models, and only those', (scope, kinds) => {
    const seen = sequence(1, 1, scope, 600);
    expect(seen).not.toContain('none');
    expect([...new Set(seen)].sort()).toEqual(kinds);
  });

  it.each([
    [0, 0],
    [0.25, 0.25],
    [0.5, 0.5],
  ])('at rate %d about that share of requests meet a fault', (rate, share) => {
    const seen = sequence(rate, 42, 'plain', 4000).filter((f) => f !== 'none').length;
    expect(Math.abs(seen / 4000 - share)).toBeLessThan(0.03);
  });

  it('gives each of the five kinds a fifth of stream faults, the two mid-stream exceptions a tenth each', () => {
    const seen = sequence(1, 13, 'stream', 10_000);
    const share = (kind: string) => seen.filter((f) => f === kind).length / seen.length;
    for (const kind of [
      'drop',
      'error:InternalServerException',
      'error:ModelTimeoutException',
      'error:ServiceUnavailableException',
    ])
      expect(Math.abs(share(kind) - 0.2), kind).toBeLessThan(0.02);
    for (const kind of ['midstream:InternalServerException', 'midstream:ModelStreamErrorException'])
      expect(Math.abs(share(kind) - 0.1), kind).toBeLessThan(0.02);
  });

  it('keeps the sequence of later requests whatever the scope of earlier ones', () => {
    const a = new Faults(0.4, 9);
    const b = new Faults(0.4, 9);
    a.next('stream');
    b.next('count-tokens');
    const hits = (f: Faults) => Array.from({ length: 50 }, () => f.next('plain') !== undefined);
    expect(hits(a)).toEqual(hits(b));
  });
});
