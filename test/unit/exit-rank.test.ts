/** Several outcomes together (several inputs): the worst code wins, and 5 (jobs still running) ranks below 1-4. */
import { describe, expect, it } from 'vitest';
import { ExitCode, worstExit } from '../../src/errors.js';

describe('worstExit', () => {
  it.each([
    [0, 5, 5],
    [5, 0, 5],
    [5, 1, 1],
    [1, 5, 1],
    [5, 3, 3],
    [4, 5, 4],
    [2, 5, 2],
    [1, 3, 3],
    [5, 5, 5],
    [0, 0, 0],
  ])('%i and %i: %i', (a, b, worst) => {
    expect(worstExit(a, b)).toBe(worst);
  });

  it('names 5 BatchRunning', () => {
    expect(ExitCode.BatchRunning).toBe(5);
  });
});
