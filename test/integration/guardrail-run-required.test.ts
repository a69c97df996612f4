/**
 * The account issue 24 starts from: IAM denies any model call that names no guardrail (a condition
 * on bedrock:GuardrailIdentifier), and the role may not read guardrails (no bedrock:GetGuardrail).
 * The emulator plays it (`requireGuardrail`, `deniedGuardrailActions`). Without --guardrail the
 * first rows' AccessDeniedException stops the run (exit 3, one attempt per row); with it the
 * check is skipped with a warning and every row runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { csvRows, guardrailInput, makeGuardrail } from '../helpers/guardrail-rows.js';

const used = useEmulator({ requireGuardrail: true, deniedGuardrailActions: ['GetGuardrail'] });

describe('an account that requires a guardrail', () => {
  it('refuses a run without one (fail-fast, exit 3) and runs one with it', async () => {
    const id = await makeGuardrail(used.emulator.url);
    const dir = workdir();
    const rows = Array.from({ length: 8 }, (_, i) => `r${i + 1},Question ${i + 1}`);
    writeFileSync(join(dir, 'bare.csv'), `id,prompt\n${rows.join('\n')}\n`);
    const bare = await runCli(['bare.csv', '-c', '1', '--no-ledger'], { cwd: dir, env: used.env() });
    expect(bare.code).toBe(3);
    expect(bare.stderr).toMatch(/the first 5 rows all failed with AccessDeniedException/);
    // One attempt per row: AccessDeniedException is never retried.
    expect(used.emulator.stats().requests).toBe(5);
    used.emulator.resetStats();
    guardrailInput(dir);
    const guarded = await runCli(['in.csv', '--guardrail', `${id}:1`, '--no-ledger', '-o', 'g.csv'], {
      cwd: dir,
      env: used.env(),
    });
    expect(guarded.stderr).toMatch(/GetGuardrail was denied/);
    expect(guarded.code).toBe(0);
    expect(csvRows(join(dir, 'g.csv')).map((r) => r.guardrail_action)).toEqual([
      'NONE',
      'INTERVENED',
      'NONE',
      'INTERVENED',
    ]);
    expect(used.emulator.stats().requests).toBe(4);
  });
});
