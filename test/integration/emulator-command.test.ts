/**
 * `run-batch emulator` as a user starts it: the built CLI in a child process, its flags reaching
 * the server, the export line, and a clean exit on SIGTERM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type CliChild, killStartedClis, runCli, startCli, waitFor } from '../helpers/cli.js';
import { converseBody, fetchStats, HAIKU, modelPath, post } from '../helpers/emulator-clients.js';

let child: CliChild | undefined;
afterEach(() => {
  killStartedClis();
  child = undefined;
});

/** Starts the emulator command and waits for the line to export. */
async function start(
  args: string[],
): Promise<{ url: string; stdout: () => string; exit: Promise<number | null> }> {
  const started = startCli(['emulator', '--port', '0', ...args]);
  child = started;
  const url = () => /export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=(\S+)/.exec(started.stdout())?.[1];
  await waitFor(() => url() !== undefined, 'the line to export', { child: started });
  return { url: url() ?? '', stdout: started.stdout, exit: started.exited };
}

describe('run-batch emulator', () => {
  it('serves with the flags given, prints what to export, and exits 0 on SIGTERM', async () => {
    const { url, stdout, exit } = await start(['--rpm', '6', '--fail-rate', '0', '--seed', '9']);
    expect(stdout()).toContain(
      'rpm 6, tpm unlimited per model; latency 0 ms + 0 ms/token; fail rate 0 (seed 9)',
    );
    const path = modelPath(HAIKU, 'converse');
    expect((await post(url, path, JSON.stringify(converseBody('hi')))).status).toBe(200);
    expect((await post(url, path, JSON.stringify(converseBody('hi')))).status).toBe(429);
    expect(await fetchStats(url)).toMatchObject({ requests: 2, ok: 1, throttled: 1 });
    child?.process.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('applies --fail-rate 1', async () => {
    const { url } = await start(['--fail-rate', '1']);
    const res = await post(url, modelPath(HAIKU, 'converse'), JSON.stringify(converseBody('hi'))).catch(
      () => undefined,
    );
    expect(res?.status ?? 'dropped').not.toBe(200);
    expect(await fetchStats(url)).toMatchObject({ requests: 1, faults: 1 });
  });

  it('--require-guardrail denies a call naming no guardrail; --deny-guardrail-action denies GetGuardrail', async () => {
    const { url } = await start(['--require-guardrail', '--deny-guardrail-action', 'GetGuardrail']);
    const call = await post(url, modelPath(HAIKU, 'converse'), JSON.stringify(converseBody('hi')));
    expect(call.status).toBe(403);
    const get = await fetch(`${url}/guardrails/abcdefghijkl`);
    expect(get.status).toBe(403);
    expect(await get.text()).toMatch(/AccessDenied|not authorized/);
  });

  it('refuses an unknown --deny-guardrail-action, naming the ones there are', async () => {
    const result = await runCli(['emulator', '--deny-guardrail-action', 'GetGuardrails']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--deny-guardrail-action must be one of CreateGuardrail, GetGuardrail/);
  });

  it('refuses a bad flag value with exit 2 and a message quoting it', async () => {
    const result = await runCli(['emulator', '--fail-rate', '1.5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('run-batch: --fail-rate must be a number from 0 to 1, got "1.5"\n');
  });

  it('lists every option with its default in --help, numbers unquoted', async () => {
    const { stdout } = await runCli(['emulator', '--help']);
    const options: Array<[string, string]> = [
      ['--port', '4010'],
      ['--host', '127.0.0.1'],
      ['--rpm', '0'],
      ['--tpm', '0'],
      ['--burst-seconds', '10'],
      ['--latency-ms', '0'],
      ['--ms-per-token', '0'],
      ['--fail-rate', '0'],
      ['--seed', '1'],
    ];
    for (const [flag, value] of options) {
      expect(stdout).toMatch(new RegExp(`${flag}[\\s\\S]*?\\[default: ${value.replace(/\./g, '\\.')}\\]`));
    }
  });
});
