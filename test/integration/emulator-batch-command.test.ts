/**
 * `run-batch emulator` with its batch flags, as a user starts it: the built CLI in a child
 * process, the export lines for the control plane and S3, a job through the real SDKs, and a bad
 * flag refused with exit 2.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli, waitFor } from '../helpers/cli.js';
import {
  bedrockClient,
  converseRecords,
  jobInput,
  jsonl,
  prompts,
  putText,
  s3Client,
  submit,
  waitForJob,
} from '../helpers/emulator-batch.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

afterEach(() => killStartedClis());

async function start(args: string[]): Promise<{ stdout: string; bedrock: string; s3: string }> {
  const child = startCli(['emulator', '--port', '0', ...args]);
  const endpoint = (name: string) =>
    new RegExp(`export AWS_ENDPOINT_URL_${name}=(\\S+)`).exec(child.stdout())?.[1];
  await waitFor(
    () => endpoint('BEDROCK') !== undefined && endpoint('S3') !== undefined,
    'the lines to export',
    {
      child,
    },
  );
  return { stdout: child.stdout(), bedrock: endpoint('BEDROCK') ?? '', s3: endpoint('S3') ?? '' };
}

describe('run-batch emulator with batch flags', () => {
  it('prints the control plane and S3 endpoints and runs a job with the flags given', async () => {
    const { bedrock, s3 } = await start([
      '--batch-step-ms',
      '1',
      '--batch-min-records',
      '5',
      '--s3-bucket',
      'cli-bucket',
    ]);
    expect(s3).toBe(bedrock);
    await putText(s3Client(s3), 'cli-bucket', 'in/five.jsonl', jsonl(converseRecords(prompts(5))));
    const client = bedrockClient(bedrock);
    const arn = await submit(
      client,
      jobInput('s3://cli-bucket/in/', 's3://cli-bucket/out/', { modelInvocationType: 'Converse' }),
    );
    const { job } = await waitForJob(client, arn);
    // Five records pass a minimum of 5 (the default of 100 would fail the job).
    expect(job).toMatchObject({ status: 'Completed', successRecordCount: 5 });
  });

  it('names an external S3 endpoint as the one to export', async () => {
    const { s3 } = await start(['--s3-endpoint', 'http://127.0.0.1:9']);
    expect(s3).toBe('http://127.0.0.1:9');
  });

  it.each([
    [
      ['--s3-endpoint', 'localhost:5000'],
      'run-batch: --s3-endpoint must be an http:// or https:// URL, got "localhost:5000"\n',
    ],
    [
      ['--batch-step-ms', 'soon'],
      'run-batch: --batch-step-ms must be a whole number from 0 up, got "soon"\n',
    ],
  ])('refuses %j with exit 2 and a message quoting it', async (args, message) => {
    const result = await runCli(['emulator', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(message);
  });
});
