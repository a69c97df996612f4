// Drives the emulator with LangChain's ChatBedrockConverse: withStructuredOutput on a zod schema
// (LangChain's forced-tool route) and a plain invoke. Prints what it saw as JSON.
// Run by test/integration/emulator-official-clients.test.ts; the SDK inside finds the emulator
// through AWS_ENDPOINT_URL_BEDROCK_RUNTIME.
import { ChatBedrockConverse } from '@langchain/aws';
import { z } from 'zod';

const llm = new ChatBedrockConverse({
  model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  maxTokens: 300,
  maxRetries: 0,
});
const schema = z.object({
  category: z.enum(['billing', 'bug']).describe('the kind of ticket'),
  priority: z.number().int().min(1).max(5),
  labels: z.array(z.string()),
});
const structured = await llm
  .withStructuredOutput(schema, { name: 'classify' })
  .invoke('Classify this ticket');
const plain = await llm.invoke('Hello');
console.log(
  JSON.stringify({
    structured,
    valid: schema.safeParse(structured).success,
    plain: { text: plain.content, usage: plain.usage_metadata },
  }),
);
