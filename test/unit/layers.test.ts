/** The architecture holds: no import circles, no module importing from a layer above its own. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script with no type declarations
import { graph, problems } from '../../scripts/check-layers.mjs';

describe('layers', () => {
  it('has no import circle and no upward import', () => {
    expect(problems()).toEqual([]);
  });

  it('reads the real import graph (the check cannot pass on nothing)', () => {
    const edges = graph() as Map<string, string[]>;
    expect(edges.size).toBeGreaterThan(50);
    const runBatch = [...edges.keys()].find((f) => f.endsWith('src/run/run-batch.ts'));
    expect(runBatch && edges.get(runBatch)?.some((t) => t.endsWith('src/run/execute.ts'))).toBe(true);
  });
});
