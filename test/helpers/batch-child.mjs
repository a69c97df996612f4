// A batch engine run in a child process, so a test can SIGKILL it at a chosen moment. Reads
// { rows, settings, endpoints } from the JSON file named on the command line; runs from dist/.
import { readFileSync } from 'node:fs';
import { createBatchClients, runBatchJobs } from '../../dist/engines/batch/index.js';

const { rows, settings, endpoints } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const clients = createBatchClients({
  region: 'us-east-1',
  env: { AWS_ENDPOINT_URL_BEDROCK: endpoints.bedrock, AWS_ENDPOINT_URL_S3: endpoints.s3 },
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
});
const result = await runBatchJobs(rows, settings, { bedrock: clients.bedrock, s3: clients.s3 });
clients.destroy();
process.stdout.write(`${JSON.stringify({ finished: result.finished.length, pending: result.pending })}\n`);
