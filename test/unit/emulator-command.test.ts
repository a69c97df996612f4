import { describe, expect, it } from 'vitest';
import { emulatorSettings } from '../../src/commands/emulator.js';

describe('run-batch emulator options', () => {
  it('defaults every option as the help says', () => {
    // The defaults come from the option table, the same entries --help shows.
    expect(emulatorSettings({})).toEqual({
      port: 4010,
      host: '127.0.0.1',
      rpm: 0,
      tpm: 0,
      burstSeconds: 10,
      latencyMs: 0,
      msPerToken: 0,
      failRate: 0,
      seed: 1,
    });
  });

  it('reads every flag', () => {
    expect(
      emulatorSettings({
        port: '0',
        host: '::1',
        rpm: '100',
        tpm: '20000',
        'burst-seconds': '60',
        'latency-ms': '250',
        'ms-per-token': '5',
        'fail-rate': '0.05',
        seed: '42',
      }),
    ).toEqual({
      port: 0,
      host: '::1',
      rpm: 100,
      tpm: 20000,
      burstSeconds: 60,
      latencyMs: 250,
      msPerToken: 5,
      failRate: 0.05,
      seed: 42,
    });
  });

  it.each([
    [{ port: '70000' }, '--port must be a whole number from 0 to 65535, got "70000"'],
    [{ rpm: '-1' }, '--rpm must be a whole number from 0 up, got "-1"'],
    [{ tpm: '1.5' }, '--tpm must be a whole number from 0 up, got "1.5"'],
    [{ 'burst-seconds': '0' }, '--burst-seconds must be a whole number from 1 to 3600, got "0"'],
    [{ 'latency-ms': 'fast' }, '--latency-ms must be a whole number from 0 up, got "fast"'],
    [{ 'fail-rate': '2' }, '--fail-rate must be a number from 0 to 1, got "2"'],
    [{ seed: 'x' }, '--seed must be a whole number from 0 to 4294967295, got "x"'],
  ])('refuses %j', (raw, message) => {
    expect(() => emulatorSettings(raw)).toThrow(message);
  });
});
