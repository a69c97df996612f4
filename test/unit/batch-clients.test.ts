import { describe, expect, it } from 'vitest';
import { createBatchClients } from '../../src/engines/batch/index.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

async function endpointOf(client: { config: { endpoint?: unknown } }): Promise<string | undefined> {
  const provider = client.config.endpoint as (() => Promise<{ hostname: string; port?: number }>) | undefined;
  if (!provider) return undefined;
  const e = await provider();
  return `${e.hostname}:${e.port}`;
}

describe('createBatchClients', () => {
  it.each([
    [
      { AWS_ENDPOINT_URL_BEDROCK: 'http://127.0.0.1:4001', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4002' },
      '127.0.0.1:4001',
      '127.0.0.1:4002',
    ],
    [{ AWS_ENDPOINT_URL: 'http://127.0.0.1:4003' }, '127.0.0.1:4003', '127.0.0.1:4003'],
  ])('takes the endpoints from the env given (%j), S3 path-style', async (env, bedrock, s3) => {
    const clients = createBatchClients({ region: 'us-east-1', env, credentials });
    try {
      expect(await endpointOf(clients.bedrock)).toBe(bedrock);
      expect(await endpointOf(clients.s3)).toBe(s3);
      expect(clients.s3.config.forcePathStyle).toBe(true);
    } finally {
      clients.destroy();
    }
  });

  it('the emulator URL wins for both; without any endpoint S3 keeps virtual-hosted addressing', async () => {
    const emulated = createBatchClients({
      region: 'us-east-1',
      env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' },
      emulatorUrl: 'http://127.0.0.1:4010',
      credentials,
    });
    const aws = createBatchClients({ region: 'eu-west-1', env: {}, credentials });
    try {
      expect(await endpointOf(emulated.s3)).toBe('127.0.0.1:4010');
      expect(await endpointOf(emulated.bedrock)).toBe('127.0.0.1:4010');
      expect(aws.s3.config.forcePathStyle).toBe(false);
      expect(await aws.bedrock.config.region()).toBe('eu-west-1');
    } finally {
      emulated.destroy();
      aws.destroy();
    }
  });
});
