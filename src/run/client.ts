/**
 * The Bedrock client a command talks through: the built-in emulator (started in this process on a
 * free port) with --emulate, otherwise AWS or --endpoint with the standard credential chain.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { checkCredentials, createClient } from '../bedrock/client.js';
import type { Emulator } from '../emulator/server.js';
import type { JobSpec } from '../job/spec.js';

/** Any credentials do for the emulator; these keep the real ones out of its way. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' };

export interface OpenClient {
  client: BedrockRuntimeClient;
  /** With --emulate: the emulator's URL (its control plane and S3 too) and the credentials it takes. */
  emulator?: { url: string; credentials: typeof EMULATOR_CREDENTIALS };
  close(): Promise<void>;
}

export async function openClient(spec: JobSpec, env: NodeJS.ProcessEnv): Promise<OpenClient> {
  let emulator: Emulator | undefined;
  // Batch mode on the emulator needs its bucket to exist, as on S3.
  const s3Buckets = spec.batch.s3 ? [spec.batch.s3.bucket] : [];
  // Loaded only for --emulate: the emulator's module graph is a third of the CLI's start-up.
  if (spec.emulate)
    emulator = await (await import('../emulator/server.js')).startEmulator({ port: 0, s3Buckets });
  const client = createClient({
    region: spec.region,
    maxSockets: spec.concurrency,
    ...(spec.profile === undefined ? {} : { profile: spec.profile }),
    ...(emulator ? { endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS } : {}),
    ...(!emulator && spec.endpoint !== undefined ? { endpoint: spec.endpoint } : {}),
  });
  try {
    if (!emulator) await checkCredentials(client, env);
  } catch (error) {
    client.destroy();
    throw error;
  }
  return {
    client,
    ...(emulator ? { emulator: { url: emulator.url, credentials: EMULATOR_CREDENTIALS } } : {}),
    close: async () => {
      client.destroy();
      await emulator?.close();
    },
  };
}
