/**
 * Runs a block of reader tests on both ways a CSV file is read: parsed whole (files up to 1 MB)
 * and streamed (bigger ones), so the two paths read the same rows and fail the same way.
 */
import { beforeEach, describe } from 'vitest';
import type { CsvOptions } from '../../src/input/csv.js';

let current: CsvOptions = {};

/** The reader options of the mode the running test is in. */
export function csvReadOptions(): CsvOptions {
  return current;
}

export function onBothCsvReads(body: () => void): void {
  describe.each([
    { mode: 'parsed whole', options: {} },
    { mode: 'streamed', options: { wholeFileBytes: 0 } },
  ])('read $mode', ({ options }) => {
    beforeEach(() => {
      current = options;
    });
    body();
  });
}
