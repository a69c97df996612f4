/**
 * moto_server (in the machine image) as a real S3 nobody on the team wrote, for a whole test file:
 * started before its tests and stopped after (startMoto does the starting and the waiting).
 */
import { afterAll, beforeAll } from 'vitest';
import { type Moto, startMoto } from './emulator-batch-moto.js';

export interface UsedMoto {
  readonly url: string;
}

export function useMoto(): UsedMoto {
  let moto: Moto | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());
  return {
    get url() {
      if (!moto) throw new Error('moto_server is not started yet (use it inside a test)');
      return moto.url;
    },
  };
}
