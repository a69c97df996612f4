/** The architecture holds: no import circles, no module importing from a layer above its own. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script with no type declarations
import { graph, problems } from '../../scripts/check-layers.mjs';

describe('layers', () => {
  it('has no import circle and no upward import', () => {
    expect(problems()).toEqual([]);
  });

  it('refuses an upward import inside the emulator (wire -> runtime) and allows the downward one', () => {
    const edges = graph() as Map<string, string[]>;
    const file = (end: string) => [...edges.keys()].find((f) => f.endsWith(end)) as string;
    const [http, handle] = [file('src/emulator/wire/http.ts'), file('src/emulator/runtime/handle.ts')];
    expect(problems(new Map([[handle, [http]]]))).toEqual([]);
    expect(problems(new Map([[http, [handle]]]))).toEqual([
      'layer: emulator/wire/http.ts (emulator/wire) imports emulator/runtime/handle.ts (emulator/runtime)',
    ]);
  });

  it('reads the real import graph (the check cannot pass on nothing)', () => {
    const edges = graph() as Map<string, string[]>;
    expect(edges.size).toBeGreaterThan(50);
    const runBatch = [...edges.keys()].find((f) => f.endsWith('src/run/run-batch.ts'));
    expect(runBatch && edges.get(runBatch)?.some((t) => t.endsWith('src/run/execute.ts'))).toBe(true);
  });
});
