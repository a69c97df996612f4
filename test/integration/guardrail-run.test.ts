/**
 * --guardrail end to end (issue 24, "Done when"): a guardrail made on the emulator's control plane
 * with boto3 and the real @aws-sdk/client-bedrock (a word filter and an EMAIL ANONYMIZE rule, version 1),
 * then the built CLI run against it. Rows holding the word are ok, guardrail_intervened, with the
 * blocked message as the response; the email is masked in the trace; the summary counts them;
 * cost_usd includes the guardrail's text units; an unknown guardrail is exit 2 with no row sent;
 * --mode batch is refused. The ledger's side is guardrail-run-ledger.test.ts, a denied GetGuardrail
 * guardrail-run-denied.test.ts. Counted on the emulator's stats, never timed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import {
  BLOCKED_INPUT,
  csvRows as csv,
  guardrailInput as input,
  makeGuardrail,
  makeGuardrailBoto3,
} from '../helpers/guardrail-rows.js';

const used = useEmulator();

async function run(dir: string, args: string[]) {
  return runCli(['in.csv', ...args], { cwd: dir, env: used.env() });
}

describe('--guardrail against the emulator', () => {
  it('blocks the word, masks the email in the trace, counts and prices them (Converse; made with boto3)', async () => {
    const id = await makeGuardrailBoto3(used.emulator.url);
    const dir = workdir();
    input(dir);
    const result = await run(dir, ['--guardrail', `${id}:1`, '--guardrail-trace', 'enabled']);
    expect(result.stderr).toMatch(/4 ok, 0 error/);
    expect(result.code).toBe(0);
    const rows = csv(join(dir, 'in.results.csv'));
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    for (const name of ['word', 'word2']) {
      const row = by[name] as Record<string, string>;
      expect(row.status).toBe('ok');
      expect(row.stop_reason).toBe('guardrail_intervened');
      expect(row.response).toBe(BLOCKED_INPUT);
      expect(row.guardrail_action).toBe('INTERVENED');
      expect(row.error_code).toBe('');
      // Blocked before the model: no tokens, so the whole cost is the guardrail's.
      expect(row.input_tokens).toBe('0');
      expect(Number(row.guardrail_usd)).toBeGreaterThan(0);
      expect(row.cost_usd).toBe(row.guardrail_usd);
      const trace = JSON.parse(row.guardrail_trace as string);
      expect(trace.findings).toContainEqual(
        expect.objectContaining({
          source: 'input',
          policy: 'word',
          match: expect.stringMatching(/zorblax/i),
        }),
      );
    }
    const email = by.email as Record<string, string>;
    const trace = JSON.parse(email.guardrail_trace as string);
    expect(trace.findings).toContainEqual(
      expect.objectContaining({ policy: 'sensitiveInformation', type: 'EMAIL', action: 'ANONYMIZED' }),
    );
    expect(trace.units.sensitiveInformationPolicyUnits).toBeGreaterThan(0);
    const plain = by.plain as Record<string, string>;
    expect(plain.guardrail_action).toBe('NONE');
    expect(plain.stop_reason).toBe('end_turn');
    // cost_usd = the tokens + guardrail_usd: more than either alone.
    expect(Number(plain.cost_usd)).toBeGreaterThan(Number(plain.guardrail_usd));
    expect(Number(plain.guardrail_usd)).toBeGreaterThan(0);
    // The summary counts them, printed and in the summary file.
    expect(result.stderr).toMatch(/guardrail 4 rows checked, 2 intervened, \$0\.\d+ of the cost/);
    const summary = JSON.parse(readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8'));
    expect(summary.guardrail).toMatchObject({ rows: 4, intervened: 2 });
    const guardrailTotal = rows.reduce((n, r) => n + Number(r.guardrail_usd), 0);
    expect(summary.guardrail.costUsd).toBeCloseTo(guardrailTotal, 12);
    // Only the two rows that passed the input check reached the model.
    expect(used.emulator.stats().guardrails.blocked).toBe(2);
    // report shows the guardrail's part.
    const report = await runCli(['report', 'in.results.csv', '--format', 'json'], { cwd: dir });
    const json = JSON.parse(report.stdout);
    expect(json.total).toMatchObject({ guardrail_rows: 4, guardrail_intervened: 2 });
    expect(json.total.guardrail_usd).toBeCloseTo(guardrailTotal, 12);
  });

  it.each([
    ['invoke', false],
    ['invoke', true],
    ['converse', true],
  ] as const)(
    '--api %s (stream %s): the same outcome through the guardrail headers or the stream',
    async (api, stream) => {
      const id = await makeGuardrail(used.emulator.url);
      const dir = workdir();
      input(dir);
      const args = [
        '--guardrail',
        `${id}:1`,
        '--guardrail-trace',
        'enabled',
        '--api',
        api,
        '-o',
        'out.jsonl',
      ];
      const result = await run(dir, stream ? [...args, '--stream'] : args);
      expect(result.code).toBe(0);
      const rows = readJsonl(join(dir, 'out.jsonl'));
      const by = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(by.word).toMatchObject({ stop_reason: 'guardrail_intervened', guardrail_action: 'INTERVENED' });
      expect(by.word2).toMatchObject({ stop_reason: 'guardrail_intervened', response: BLOCKED_INPUT });
      expect(by.plain).toMatchObject({ guardrail_action: 'NONE' });
      expect(String(by.email?.guardrail_trace)).toMatch(/"type":"EMAIL"/);
      expect(Number(by.word?.cost_usd)).toBeGreaterThan(0);
      expect(used.emulator.stats().guardrails.evaluations).toBe(4 + 2);
    },
  );

  it('without --guardrail-trace: the action and the guardrail cost, but no trace written', async () => {
    const id = await makeGuardrail(used.emulator.url);
    const dir = workdir();
    input(dir);
    const result = await run(dir, ['--guardrail', `${id}:1`]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/warning/);
    const rows = csv(join(dir, 'in.results.csv'));
    expect(Object.keys(rows[0] as object)).not.toContain('guardrail_trace');
    expect(rows.map((r) => r.guardrail_action)).toEqual(['NONE', 'INTERVENED', 'NONE', 'INTERVENED']);
    // The units come from the trace run-batch asks for anyway; the matched email is in no file.
    for (const r of rows) expect(Number(r.guardrail_usd)).toBeGreaterThan(0);
    for (const r of rows) expect(Number(r.cost_usd)).toBeGreaterThanOrEqual(Number(r.guardrail_usd));
    expect(readFileSync(join(dir, 'in.results.csv'), 'utf8')).not.toMatch(/ANONYMIZED/);
  });

  it('an unknown guardrail is exit 2 in Bedrock words, with no row sent', async () => {
    const dir = workdir();
    input(dir);
    for (const name of ['nope', 'nope:3']) {
      const result = await run(dir, ['--guardrail', name]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `--guardrail ${name.includes(':') ? name : `${name}:DRAFT`}: .*ResourceNotFoundException, from GetGuardrail`,
        ),
      );
    }
    expect(used.emulator.stats().requests).toBe(0);
    // Stopped in setup: no disk-full reserve left beside the results file.
    expect(existsSync(join(dir, 'in.results.csv.reserve'))).toBe(false);
  });

  it('--mode batch with a guardrail is refused; --mode auto runs on demand and says so', async () => {
    const id = await makeGuardrail(used.emulator.url);
    const dir = workdir();
    input(dir);
    const batch = await run(dir, [
      '--guardrail',
      `${id}:1`,
      '--mode',
      'batch',
      '--s3',
      's3://bucket-of-jobs/p/',
      '--role-arn',
      'arn:aws:iam::123456789012:role/r',
    ]);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(
      /--mode batch cannot apply --guardrail: Bedrock Batch Inference has no guardrail setting/,
    );
    expect(used.emulator.stats().requests).toBe(0);
    const auto = await run(dir, [
      '--guardrail',
      `${id}:1`,
      '--mode',
      'auto',
      '--batch-min-records',
      '1',
      '--s3',
      's3://bucket-of-jobs/p/',
      '--role-arn',
      'arn:aws:iam::123456789012:role/r',
    ]);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toMatch(
      /--mode auto runs on demand: --guardrail cannot be applied by Bedrock Batch Inference/,
    );
    expect(used.emulator.stats().requests).toBe(4);
    expect(used.emulator.stats().batch.submissions).toBe(0);
    // estimate says the same, and prices no batch duration.
    const estimate = await runCli(
      [
        'estimate',
        'in.csv',
        '--guardrail',
        `${id}:1`,
        '--mode',
        'auto',
        '--batch-min-records',
        '1',
        '--emulate',
      ],
      { cwd: dir, env: used.env() },
    );
    expect(estimate.code).toBe(0);
    expect(estimate.stderr).toMatch(/--mode auto runs on demand: --guardrail cannot be applied/);
    expect(estimate.stdout).toMatch(/duration {2}at least/);
  });
});
