// Drives the emulator with the newest @anthropic-ai/bedrock-sdk and its defaults (it sends
// anthropic_version "2026-10-21"): a message, a stream, a forced tool. Prints what it saw as JSON.
// Run by test/integration/emulator-official-clients.test.ts with ANTHROPIC_BEDROCK_BASE_URL set.
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';

const client = new AnthropicBedrock({
  awsRegion: 'us-east-1',
  awsAccessKey: 'AKIDTEST',
  awsSecretKey: 'test-secret',
  maxRetries: 0,
});
const model = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const messages = [{ role: 'user', content: 'Summarize this ticket' }];
const out = {};

const message = await client.messages.create({ model, max_tokens: 40, messages });
out.message = {
  id: message.id,
  stop: message.stop_reason,
  text: message.content[0]?.text,
  usage: message.usage,
};

const stream = client.messages.stream({ model, max_tokens: 40, messages });
let streamed = '';
stream.on('text', (text) => {
  streamed += text;
});
const final = await stream.finalMessage();
out.stream = { text: streamed, stop: final.stop_reason, finalText: final.content[0]?.text };

const schema = {
  type: 'object',
  properties: { category: { enum: ['billing', 'bug'] }, urgent: { type: 'boolean' } },
  required: ['category', 'urgent'],
};
const tool = await client.messages.create({
  model,
  max_tokens: 200,
  messages,
  tools: [{ name: 'classify', description: 'Classify', input_schema: schema }],
  tool_choice: { type: 'tool', name: 'classify' },
});
out.tool = { stop: tool.stop_reason, block: tool.content.find((b) => b.type === 'tool_use'), schema };
console.log(JSON.stringify(out));
