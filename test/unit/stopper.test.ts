/** The stopper: one typed reason, soft or hard, the first one named; a soft stop turns hard after the grace period. */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Stopper } from '../../src/engines/stopper.js';

describe('Stopper', () => {
  it('a soft stop aborts only the soft signal and names its reason', () => {
    const stopper = new Stopper(60_000);
    expect(stopper.stopped).toBe(false);
    expect(stopper.cause).toBeUndefined();
    stopper.stop('soft', 'budget', 'budget: $0.01 spent');
    expect([stopper.soft.aborted, stopper.hard.aborted]).toEqual([true, false]);
    expect(stopper.cause).toEqual({ reason: 'budget', kind: 'soft', detail: 'budget: $0.01 spent' });
    stopper.dispose();
  });

  it('the first stop is the one named; a later hard one makes it hard', () => {
    const stopper = new Stopper(60_000);
    stopper.stop('soft', 'signal', 'interrupted by SIGINT');
    stopper.stop('soft', 'failures', '3 rows failed (--max-errors 3)');
    expect(stopper.cause).toEqual({ reason: 'signal', kind: 'soft', detail: 'interrupted by SIGINT' });
    stopper.stop('hard', 'signal', 'interrupted by SIGINT twice');
    expect([stopper.soft.aborted, stopper.hard.aborted]).toEqual([true, true]);
    expect(stopper.cause).toEqual({ reason: 'signal', kind: 'hard', detail: 'interrupted by SIGINT' });
  });

  it('a hard stop first aborts both signals', () => {
    const stopper = new Stopper(60_000);
    stopper.stop('hard', 'write-failed', 'cannot write the results file: EIO');
    expect([stopper.soft.aborted, stopper.hard.aborted]).toEqual([true, true]);
    expect(stopper.cause).toMatchObject({ reason: 'write-failed', kind: 'hard' });
  });

  it('a soft stop turns hard when the grace period runs out, keeping its reason', async () => {
    const stopper = new Stopper(1);
    stopper.stop('soft', 'disk-full', 'the disk is full');
    await once(stopper.hard, 'abort');
    expect(stopper.cause).toEqual({ reason: 'disk-full', kind: 'hard', detail: 'the disk is full' });
    expect(String(stopper.hard.reason)).toMatch(/cut off/);
  });
});
