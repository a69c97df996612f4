import { describe, expect, it } from 'vitest';
import { countTokens, generatePieces, reply } from '../../src/emulator/behaviour/text.js';

describe('emulator tokens', () => {
  it.each([
    ['', 0],
    ['Hello, world!', 4],
    ['international', 3], // letter runs are cut every 6 characters
    ['in 2026', 5],
    ['café', 2],
    ['  spaced   out  ', 2],
  ])('%j is %i tokens', (text, n) => {
    expect(countTokens(text)).toBe(n);
  });

  it('generates exactly the asked number of tokens, one piece each', () => {
    for (const n of [1, 2, 7, 50, 300]) {
      const pieces = generatePieces(12345, n);
      expect(pieces).toHaveLength(n);
      expect(countTokens(pieces.join(''))).toBe(n);
    }
  });

  it('is deterministic per seed', () => {
    expect(generatePieces(7, 20)).toEqual(generatePieces(7, 20));
    expect(generatePieces(7, 20)).not.toEqual(generatePieces(8, 20));
  });
});

describe('emulator replies', () => {
  it('ends naturally under max_tokens', () => {
    const r = reply(1, 30, 100, []);
    expect(r).toMatchObject({ stopReason: 'end_turn', outputTokens: 30, stopSequence: null });
  });

  it('truncates at max_tokens', () => {
    const r = reply(1, 30, 10, []);
    expect(r.stopReason).toBe('max_tokens');
    expect(r.outputTokens).toBe(10);
    expect(r.text).toBe(generatePieces(1, 10).join(''));
  });

  it('stops before the first stop sequence', () => {
    const full = reply(1, 30, 100, []).text;
    const word = full.split(' ')[4] ?? '';
    const r = reply(1, 30, 100, ['zzz', ` ${word}`]);
    expect(r.stopReason).toBe('stop_sequence');
    expect(r.stopSequence).toBe(` ${word}`);
    expect(r.text).toBe(full.slice(0, full.indexOf(` ${word}`)));
    expect(r.outputTokens).toBe(countTokens(r.text));
    expect(r.pieces.join('')).toBe(r.text);
  });
});
