/**
 * --guardrail with --json-schema: a blocked row is ok as it is (the blocked message is not JSON,
 * and a retry would pay the guardrail again), its json_* columns empty, one attempt.
 *
 * --guardrail and the answer ledger: an answer bought without the guardrail is never reused for a
 * run that names one; the same version is reused like any answer; answers under DRAFT (which can
 * change) are asked again by every run, yet resuming the same results file keeps its ok rows.
 * Counted on the emulator's guardrail evaluations.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { csvRows as csv, guardrailInput as input, makeGuardrail } from '../helpers/guardrail-rows.js';

const used = useEmulator();

async function run(dir: string, args: string[]) {
  return runCli(['in.csv', ...args], { cwd: dir, env: used.env() });
}

describe('--guardrail with --json-schema', () => {
  it('keeps a blocked row as it is: ok, no schema check, no retry', async () => {
    const id = await makeGuardrail(used.emulator.url);
    const dir = workdir();
    input(dir);
    copyFileSync(join(ROOT, 'jobs/ticket-triage.schema.json'), join(dir, 'triage.json'));
    const result = await run(dir, ['--guardrail', `${id}:1`, '--json-schema', 'triage.json']);
    expect(result.stderr).toMatch(/4 ok, 0 error/);
    expect(result.code).toBe(0);
    const rows = Object.fromEntries(csv(join(dir, 'in.results.csv')).map((r) => [r.id, r]));
    for (const name of ['word', 'word2']) {
      expect(rows[name]).toMatchObject({ status: 'ok', stop_reason: 'guardrail_intervened', attempts: '1' });
      const json = Object.entries(rows[name] as object).filter(([k]) => k.startsWith('json_'));
      expect(json.length).toBeGreaterThan(0);
      expect(json.every(([, v]) => v === '')).toBe(true);
    }
    // The others answered the schema.
    expect(JSON.parse(rows.plain?.response as string)).toEqual(expect.any(Object));
    expect(used.emulator.stats().requests).toBe(4);
  });
});

describe('--guardrail and the ledger', () => {
  it('the ledger: no answer bought without the guardrail is reused with it; DRAFT answers never are', async () => {
    const id = await makeGuardrail(used.emulator.url);
    const dir = workdir();
    input(dir);
    expect((await run(dir, ['-o', 'plain.csv'])).code).toBe(0);
    expect(used.emulator.stats().requests).toBe(4);
    used.emulator.resetStats();
    // With the guardrail: asked again (2 reach the model, 2 are blocked, none from the ledger).
    expect((await run(dir, ['--guardrail', `${id}:1`, '-o', 'v1.csv'])).code).toBe(0);
    expect(used.emulator.stats().guardrails.evaluations).toBe(6);
    expect(csv(join(dir, 'v1.csv')).every((r) => r.reused === 'false')).toBe(true);
    used.emulator.resetStats();
    // The same guardrail version again, to another output: every row from the ledger, no call.
    expect((await run(dir, ['--guardrail', `${id}:1`, '-o', 'v1-again.csv'])).code).toBe(0);
    expect(used.emulator.stats().guardrails.evaluations).toBe(0);
    expect(csv(join(dir, 'v1-again.csv')).every((r) => r.reused === 'true')).toBe(true);
    // DRAFT: asked every time, whatever the ledger holds.
    for (const out of ['draft1.csv', 'draft2.csv']) {
      used.emulator.resetStats();
      expect((await run(dir, ['--guardrail', id, '-o', out])).code).toBe(0);
      expect(used.emulator.stats().guardrails.evaluations).toBe(6);
      expect(csv(join(dir, out)).every((r) => r.reused === 'false')).toBe(true);
    }
    // Resuming the same results file under DRAFT keeps its ok rows: no call.
    used.emulator.resetStats();
    expect((await run(dir, ['--guardrail', id, '-o', 'draft2.csv'])).code).toBe(0);
    expect(used.emulator.stats().guardrails.evaluations).toBe(0);
  });

  it('a guardrail added to a finished results file: its columns added, and the rows said to run again', async () => {
    const id = await makeGuardrail(used.emulator.url);
    const dir = workdir();
    input(dir);
    expect((await run(dir, ['-o', 'same.csv'])).code).toBe(0);
    used.emulator.resetStats();
    const guarded = await run(dir, ['--guardrail', `${id}:1`, '-o', 'same.csv']);
    expect(guarded.code).toBe(0);
    expect(guarded.stderr).toMatch(/added the columns guardrail_action, guardrail_usd to same\.csv/);
    expect(guarded.stderr).not.toMatch(/its answers are kept/);
    expect(guarded.stderr).toMatch(/4 rows ask something else/);
    expect(used.emulator.stats().guardrails.evaluations).toBe(6);
  });
});
