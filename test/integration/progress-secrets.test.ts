/**
 * Credentials never appear in anything the CLI prints or writes. The run gets recognizable secrets
 * in the environment, as cron would from a profile script, and every byte of stdout, stderr and the
 * files the run leaves is searched for them: on a clean run, a run with failing rows, and runs where
 * a secret reaches a message (a token pasted into a flag, an error message that echoes one).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/server.js';
import { type CliResult, FAKE_AWS_ENV, runCli, workdir } from '../helpers/cli.js';

const SECRETS = {
  AWS_SECRET_ACCESS_KEY: 'SeCrEtKeY-4f1d9c/2b7e+a0c3d5e7f9a1b3c5d7e9f0a2b4',
  AWS_SESSION_TOKEN: 'SeSsIoNtOkEn-IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH',
  AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-BeArErToKeN-YmVkcm9jay5hbWF6b25hd3MuY29t',
};

let emulator: Emulator;
const env = () => ({ ...FAKE_AWS_ENV, ...SECRETS, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

/** Everything a user could see: stdout, stderr and every file the run left in its directory. */
function everything(result: CliResult, dir: string): Array<[string, string]> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  return [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
    ...files.map((path): [string, string] => [path, readFileSync(path, 'utf8')]),
  ];
}

function expectNoSecrets(outputs: Array<[string, string]>): void {
  for (const [where, text] of outputs) {
    for (const secret of Object.values(SECRETS)) {
      expect(text.includes(secret), `${where} holds a secret`).toBe(false);
      expect(text.includes(encodeURIComponent(secret)), `${where} holds an encoded secret`).toBe(false);
    }
  }
}

describe('credentials in the environment', () => {
  it.each(['text', 'json'])('appear nowhere after a run with failing rows (%s logs)', async (format) => {
    const dir = workdir('prompts.csv');
    writeFileSync(
      join(dir, 'denied.csv'),
      [
        'id,prompt',
        '1,Hello',
        '2,Classify this ticket',
        '3,Denied [[emulator:error=AccessDeniedException]]',
        '4,Fails twice [[emulator:fail=2:InternalServerException]]',
        '5,Throttled [[emulator:throttle=1]]',
        '6,Thanks',
      ].join('\n'),
    );
    const result = await runCli(['denied.csv', '--log-format', format, '--backoff-base', '1'], {
      cwd: dir,
      env: { ...env(), RUN_BATCH_PROGRESS_INTERVAL_MS: '50' },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(readFileSync(join(dir, 'denied.results.csv'), 'utf8')).toContain('AccessDeniedException');
    expectNoSecrets(everything(result, dir));
  });

  it.each(['text', 'json'])('are redacted from a value pasted into the wrong flag (%s)', async (format) => {
    const dir = workdir('prompts.csv');
    const result = await runCli(
      ['prompts.csv', '--max-tokens', SECRETS.AWS_BEARER_TOKEN_BEDROCK, '--log-format', format],
      { cwd: dir, env: env() },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max-tokens must be a whole number from 1 to 1000000, got');
    expect(result.stderr).toContain('[REDACTED]');
    expectNoSecrets(everything(result, dir));
  });

  it('are redacted from an error message that echoes one', async () => {
    // The emulator quotes a directive it cannot read back in its ValidationException; five rows
    // failing alike stop the run, and the stop reason carries that message into the summary.
    const dir = workdir();
    const echo = `[[emulator:error=${SECRETS.AWS_SESSION_TOKEN}]]`;
    writeFileSync(
      join(dir, 'echo.csv'),
      ['id,prompt', ...Array.from({ length: 8 }, (_, i) => `${i + 1},Say ${echo}`)].join('\n'),
    );
    for (const format of ['text', 'json']) {
      const result = await runCli(['echo.csv', '-c', '1', '--log-format', format], { cwd: dir, env: env() });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('Emulator directive [[emulator:error=[REDACTED]]]');
      // The input holds the secret, so its results file does too; only what is printed is checked.
      expectNoSecrets([
        ['stdout', result.stdout],
        ['stderr', result.stderr],
      ]);
    }
  });
});
