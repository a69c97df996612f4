#!/usr/bin/env node
/**
 * The long fault-injection soak: the same harness as test/fault/interruptions.test.ts over many
 * more seeds (default 200 from seed 1000), through vitest so the TypeScript harness runs as is.
 * Builds first, because the harness drives the built CLI.
 *
 *   node scripts/soak.mjs [--seeds 200] [--from 1000]
 *
 * Each failing seed is printed with the steps it drew and the invariants it broke; add it to the
 * REGRESSIONS table in test/fault/interruptions.test.ts with what it caught.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '200' }, from: { type: 'string', default: '1000' } },
});
const seeds = Number(values.seeds);
const from = Number(values.from);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(from) || from < 0) {
  console.error(
    `soak: --seeds must be a whole number from 1 up and --from from 0 up, got ${values.seeds}, ${values.from}`,
  );
  process.exit(2);
}

const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

console.error(`soak: seeds ${from} to ${from + seeds - 1}`);
const result = spawnSync(
  'npx',
  ['vitest', 'run', 'test/fault/interruptions.test.ts', '--testNamePattern', 'random interruptions'],
  {
    stdio: 'inherit',
    env: { ...process.env, FAULT_SEEDS: String(seeds), FAULT_FIRST_SEED: String(from) },
  },
);
process.exit(result.status ?? 1);
