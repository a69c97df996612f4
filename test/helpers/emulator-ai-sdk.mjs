// Drives the emulator with the AI SDK's Bedrock provider (needs Node 22): generateObject with a
// zod schema, and generateText with a required tool. Prints what it saw as JSON.
// Run by test/integration/emulator-official-clients.test.ts under Node 22 or later (the suite's own,
// or RUN_BATCH_TEST_NODE22 on Node 20) and AWS_ENDPOINT_URL_BEDROCK_RUNTIME pointing at the emulator.
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { generateObject, generateText, jsonSchema, tool } from 'ai';
import { z } from 'zod';

const bedrock = createAmazonBedrock({
  region: 'us-east-1',
  accessKeyId: 'AKIDTEST',
  secretAccessKey: 'test-secret',
  baseURL: process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
});
const out = { node: process.version };
const model = bedrock(process.argv[2] ?? 'global.anthropic.claude-haiku-4-5-20251001-v1:0');

const schema = z.object({
  category: z.enum(['billing', 'bug', 'other']),
  summary: z.string().min(5),
  tags: z.array(z.string()).min(1).max(3),
  reporter: z.object({ email: z.string().email(), since: z.string().date() }),
});
const object = await generateObject({ model, schema, prompt: 'Classify this ticket', maxRetries: 0 });
out.object = {
  value: object.object,
  valid: schema.safeParse(object.object).success,
  finish: object.finishReason,
};

const text = await generateText({
  model,
  prompt: 'What is the weather in Paris?',
  toolChoice: 'required',
  maxRetries: 0,
  tools: {
    weather: tool({
      description: 'Weather in a city',
      inputSchema: jsonSchema({
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      }),
    }),
  },
});
out.tool = {
  finish: text.finishReason,
  calls: text.toolCalls.map((c) => ({ name: c.toolName, input: c.input })),
};
console.log(JSON.stringify(out));
