/**
 * One emulator per test file, on a free port: started before the file's tests, closed after, and
 * reset before each test so every test counts from zero.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/server.js';
import { FAKE_AWS_ENV } from './cli.js';

export interface UsedEmulator {
  readonly emulator: Emulator;
  /** Environment pointing the CLI at it, with throwaway credentials. */
  env(): Record<string, string>;
}

/**
 * @param between what is cleared before each test: `all` (counters, directive counts, quota
 *   buckets, fault sequence) or `stats` (counters only)
 */
export function useEmulator(options: EmulatorOptions = {}, between: 'all' | 'stats' = 'all'): UsedEmulator {
  let current: Emulator | undefined;
  beforeAll(async () => {
    current = await startEmulator({ port: 0, ...options });
  });
  afterAll(() => current?.close());
  beforeEach(() => (between === 'all' ? current?.reset() : current?.resetStats()));
  const emulator = (): Emulator => {
    if (!current) throw new Error('the emulator is not started yet (use it inside a test)');
    return current;
  };
  return {
    get emulator() {
      return emulator();
    },
    env: () => ({ ...FAKE_AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator().url }),
  };
}
