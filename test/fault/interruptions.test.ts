/**
 * The fault-injection suite (issue 9): the built CLI against an emulator over loopback, through
 * seeded random interruptions (SIGKILL, SIGTERM, SIGHUP at random moments, the endpoint killed
 * and restarted, the results file damaged at a random byte between runs), rerun until done, with
 * the invariants of test/helpers/fault-harness.ts checked after every run.
 *
 * CI runs FAULT_SEEDS seeds (default 8) plus the regression table; `node scripts/soak.mjs` runs
 * hundreds. A seed that fails goes into REGRESSIONS with what it caught.
 */
import { describe, expect, it } from 'vitest';
import { type FaultReport, runScenario } from '../helpers/fault-harness.js';
import { type StepKind, scenarioFor } from '../helpers/fault-scenario.js';

const FIRST = Number(process.env.FAULT_FIRST_SEED ?? 1);
const COUNT = Number(process.env.FAULT_SEEDS ?? 8);

/** Seeds that once failed, with the kinds of step they draw from and what they caught. */
const REGRESSIONS: ReadonlyArray<{ seed: number; kinds?: StepKind[]; caught: string }> = [
  {
    seed: 3,
    caught:
      'SIGHUP at 412ms ended the run by the signal (no grace period, no summary, no exit code): issue 9 item 6',
  },
  {
    seed: 7,
    caught:
      'a LF put into the middle of a CSV results file (41%) was cut as if a crash had left it, and 29 paid rows ran again, exit 0: issue 9 item 1',
  },
  {
    seed: 1006,
    caught:
      'a quote put into the second-to-last CSV record (97%) was cut like a crash leftover: 2 rows paid again for 1 damaged byte, exit 0: issue 9 item 1',
  },
  {
    seed: 1009,
    caught:
      'SIGHUP left .lock and .reserve and lost the calls in flight (item 6); then a SIGTERM at 331ms, while the CLI was still loading, killed it unheard (fixed in cli.ts / signals.ts)',
  },
  {
    seed: 8,
    caught:
      'a request fingerprint starting with "-" was neutralized as a spreadsheet formula in the CSV, so the row read as changed and was paid again on every run (fingerprints are hex now, and read back through restoreCell)',
  },
  {
    seed: 4,
    caught:
      'SIGTERM at 423ms, while the CLI was still loading the SDK and had no handler yet, killed it unheard (fixed in cli.ts)',
  },
];

function explain(report: FaultReport): string {
  return [
    `seed ${report.seed}: ${report.steps.join(', ')}`,
    ...report.violations.map((v) => `  violated: ${v}`),
    `  paid ${report.paid}, allowance ${report.allowance}`,
    ...report.runs.map((r) => `  ${r.step}: exit ${r.code ?? r.signal}`),
  ].join('\n');
}

describe('fault injection: random interruptions, then rerun until done', () => {
  const seeds = Array.from({ length: COUNT }, (_, i) => FIRST + i);
  it.each(seeds)('seed %i', async (seed) => {
    const report = await runScenario(scenarioFor(seed));
    expect(report.violations, explain(report)).toEqual([]);
  });
});

describe.runIf(REGRESSIONS.length > 0)('fault injection: regression seeds', () => {
  it.each(REGRESSIONS.map((r) => [r.seed, r]))('seed %i', async (_seed, regression) => {
    const report = await runScenario(scenarioFor(regression.seed, regression.kinds));
    expect(report.violations, `${regression.caught}\n${explain(report)}`).toEqual([]);
  });
});
