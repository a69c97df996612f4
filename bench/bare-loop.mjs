// The baseline: the loop a user would write from the seed document. p-limit + the AWS SDK with its
// defaults (HTTP/2 handler, 3 attempts), the chosen retry mode, rows read into memory, results
// kept in memory, no file output.
// usage: node bench/bare-loop.mjs <rows.csv> <concurrency> <standard|adaptive>
// The endpoint comes from AWS_ENDPOINT_URL_BEDROCK_RUNTIME. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { parse } from 'csv-parse/sync';
import pLimit from 'p-limit';

const [file, concurrency, retryMode] = process.argv.slice(2);
const client = new BedrockRuntimeClient({ region: 'us-east-1', retryMode });
const limit = pLimit(Number(concurrency));
const rows = parse(readFileSync(file), { columns: true });

const started = performance.now();
const results = await Promise.all(
  rows.map((row) =>
    limit(async () => {
      try {
        const response = await client.send(
          new ConverseCommand({
            modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
            messages: [{ role: 'user', content: [{ text: row.prompt }] }],
            inferenceConfig: { maxTokens: 512 },
          }),
        );
        return { ok: true, text: response.output?.message?.content?.[0]?.text, usage: response.usage };
      } catch (error) {
        return { ok: false, error: error.name };
      }
    }),
  ),
);
const ok = results.filter((r) => r.ok).length;
console.log(JSON.stringify({ ms: performance.now() - started, ok, failed: results.length - ok }));
client.destroy();
