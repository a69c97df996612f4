/**
 * --guardrail end to end (issue 24, "Done when"): a guardrail made on the emulator's control plane
 * with the real @aws-sdk/client-bedrock (a word filter and an EMAIL ANONYMIZE rule, version 1),
 * then the built CLI run against it. Rows holding the word are ok, guardrail_intervened, with the
 * blocked message as the response; the email is masked in the trace; the summary counts them;
 * cost_usd includes the guardrail's text units; an unknown guardrail is exit 2 with no row sent;
 * --mode batch is refused; and the ledger never serves an answer bought without the guardrail,
 * nor one bought under DRAFT. Counted on the emulator's stats, never timed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BedrockClient,
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
} from '@aws-sdk/client-bedrock';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

const BLOCKED_INPUT = 'That prompt is not allowed here.';
const BLOCKED_OUTPUT = 'That answer is not allowed here.';

/** A guardrail with a custom word and EMAIL masked, made through the JS SDK; returns its id. */
async function makeGuardrail(): Promise<string> {
  const client = new BedrockClient({
    endpoint: used.emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  try {
    const created = await client.send(
      new CreateGuardrailCommand({
        name: `words-and-email-${Math.random().toString(36).slice(2)}`,
        blockedInputMessaging: BLOCKED_INPUT,
        blockedOutputsMessaging: BLOCKED_OUTPUT,
        wordPolicyConfig: { wordsConfig: [{ text: 'zorblax' }] },
        sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
      }),
    );
    const id = created.guardrailId as string;
    const version = await client.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: id }));
    expect(version.version).toBe('1');
    return id;
  } finally {
    client.destroy();
  }
}

const ROWS = [
  ['plain', 'Name three rivers.'],
  ['word', 'Tell me about the zorblax please.'],
  ['email', 'Write a note to alice@example.com about lunch.'],
  ['word2', 'Zorblax again?'],
];

function input(dir: string): void {
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
}

const csv = (path: string) => parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;

async function run(dir: string, args: string[]) {
  return runCli(['in.csv', ...args], { cwd: dir, env: used.env() });
}

describe('--guardrail against the emulator', () => {
  it('blocks the word, masks the email in the trace, counts and prices them (Converse)', async () => {
    const id = await makeGuardrail();
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
      const id = await makeGuardrail();
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

  it('without --guardrail-trace: the action, but no trace and no guardrail cost (a warning says why)', async () => {
    const id = await makeGuardrail();
    const dir = workdir();
    input(dir);
    const result = await run(dir, ['--guardrail', `${id}:1`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/--guardrail without --guardrail-trace: Bedrock reports the text units/);
    const rows = csv(join(dir, 'in.results.csv'));
    expect(Object.keys(rows[0] as object)).not.toContain('guardrail_trace');
    expect(rows.map((r) => r.guardrail_action)).toEqual(['NONE', 'INTERVENED', 'NONE', 'INTERVENED']);
    expect(rows.every((r) => r.guardrail_usd === '')).toBe(true);
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
  });

  it('--mode batch with a guardrail is refused; --mode auto runs on demand and says so', async () => {
    const id = await makeGuardrail();
    const dir = workdir();
    input(dir);
    const batch = await run(dir, [
      '--guardrail',
      `${id}:1`,
      '--mode',
      'batch',
      '--s3',
      's3://b/p/',
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
      's3://b/p/',
      '--role-arn',
      'arn:aws:iam::123456789012:role/r',
    ]);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toMatch(
      /--mode auto runs on demand: --guardrail cannot be applied by Bedrock Batch Inference/,
    );
    expect(used.emulator.stats().requests).toBe(2);
    expect(used.emulator.stats().batch.submissions).toBe(0);
  });

  it('the ledger: no answer bought without the guardrail is reused with it; DRAFT answers never are', async () => {
    const id = await makeGuardrail();
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
});
