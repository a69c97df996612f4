/** The test helpers that start the CLI never wait forever: every wait has a deadline that names what it waited for. */
import { describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from '../helpers/cli.js';

describe('startCli and waitFor', () => {
  it('waitFor gives up at its limit, naming what it waited for', async () => {
    await expect(waitFor(() => false, 'a moment that never comes', { limitMs: 50 })).rejects.toThrow(
      'gave up waiting for a moment that never comes after 50 ms',
    );
  });

  it('waitFor fails at once, with the stderr, when the CLI it watches has ended', async () => {
    const child = startCli(['--no-such-flag']);
    await child.ended;
    await expect(waitFor(() => false, 'rows', { child })).rejects.toThrow(
      /waiting for rows: the CLI ended first \(2\); stderr:\n.*unknown option --no-such-flag\n/s,
    );
  });

  it('a CLI still running at its deadline is killed, and exited says so', async () => {
    const child = startCli(['emulator', '--port', '0'], { deadlineMs: 500 });
    const end = await child.ended;
    expect(end).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    await expect(child.exited).rejects.toThrow(/run-batch emulator --port 0 was still running after 500 ms/);
  });

  it('runCli gives the exit code and both streams', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
