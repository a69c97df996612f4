/** A native InvokeModel body per model family, for tests that go round every family. */

// biome-ignore lint/suspicious/noExplicitAny: native bodies are read by path, family by family
type Native = Record<string, any>;

export interface FamilyCase {
  family: string;
  modelId: string;
  body: (prompt: string, maxTokens: number) => Record<string, unknown>;
  /** The reply text and the family's own stop reason, from its native response body. */
  read: (body: Native) => { text: string; stop: string };
  /** The text in one decoded stream chunk, if it has any. */
  chunkText: (chunk: Native) => string | undefined;
  /** The family's stop reason when max tokens cut the reply. */
  lengthStop: string;
}

export const FAMILIES: FamilyCase[] = [
  {
    family: 'anthropic',
    modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    body: (prompt, max) => ({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: max,
      messages: [{ role: 'user', content: prompt }],
    }),
    read: (b) => ({ text: b.content[0].text, stop: b.stop_reason }),
    chunkText: (c) => (c.type === 'content_block_delta' ? c.delta.text : undefined),
    lengthStop: 'max_tokens',
  },
  {
    family: 'nova',
    modelId: 'amazon.nova-micro-v1:0',
    body: (prompt, max) => ({
      messages: [{ role: 'user', content: [{ text: prompt }] }],
      inferenceConfig: { max_new_tokens: max },
    }),
    read: (b) => ({ text: b.output.message.content[0].text, stop: b.stopReason }),
    chunkText: (c) => c.contentBlockDelta?.delta.text,
    lengthStop: 'max_tokens',
  },
  {
    family: 'titan',
    modelId: 'amazon.titan-text-express-v1',
    body: (prompt, max) => ({ inputText: prompt, textGenerationConfig: { maxTokenCount: max } }),
    read: (b) => ({ text: b.results[0].outputText, stop: b.results[0].completionReason }),
    chunkText: (c) => c.outputText || undefined,
    lengthStop: 'LENGTH',
  },
  {
    family: 'llama',
    modelId: 'meta.llama3-1-8b-instruct-v1:0',
    body: (prompt, max) => ({ prompt, max_gen_len: max }),
    read: (b) => ({ text: b.generation, stop: b.stop_reason }),
    chunkText: (c) => c.generation || undefined,
    lengthStop: 'length',
  },
  {
    family: 'mistral',
    modelId: 'mistral.mixtral-8x7b-instruct-v0:1',
    body: (prompt, max) => ({ prompt: `<s>[INST] ${prompt} [/INST]`, max_tokens: max }),
    read: (b) => ({ text: b.outputs[0].text, stop: b.outputs[0].stop_reason }),
    chunkText: (c) => c.outputs[0].text || undefined,
    lengthStop: 'length',
  },
  {
    family: 'mistral chat',
    modelId: 'mistral.mistral-large-2407-v1:0',
    body: (prompt, max) => ({ messages: [{ role: 'user', content: prompt }], max_tokens: max }),
    read: (b) => ({ text: b.choices[0].message.content, stop: b.choices[0].stop_reason }),
    chunkText: (c) => c.choices[0].message.content || undefined,
    lengthStop: 'length',
  },
];
