/**
 * Call-time shaping of a request's extras, laid over the Converse input or the InvokeModel body
 * the core built: the attachments (their bytes read now, when the row is sent) and the answer
 * schema (reference/bedrock-wire.md §10.2). Converse: native structured output is
 * `outputConfig.textFormat` with the schema as a string; the forced tool is one tool whose
 * `inputSchema.json` is the schema, chosen by `toolChoice.tool`. InvokeModel: Anthropic
 * `output_config.format` or `tools` + `tool_choice`; Nova's `toolConfig`.
 */
import type { AnswerPlan, AttachmentBlock, PromptRequest } from '../types.js';
import { anthropicBlocks, loadBlocks, novaBlocks } from './attachment-blocks.js';
import { familyName } from './families/index.js';

type Json = Record<string, unknown>;

/** The name of the forced tool; Bedrock's ToolName pattern is `[a-zA-Z0-9_-]+`. */
export const ANSWER_TOOL = 'answer';
const TOOL_DESCRIPTION = 'Give the answer. Its input is the answer, in the required structure.';

/** The request with its attachments' blocks loaded (a copy); the same request when it has none. */
export async function withLoadedAttachments(request: PromptRequest): Promise<PromptRequest> {
  if (!request.attachments?.length) return request;
  return { ...request, attachmentBlocks: await loadBlocks(request.attachments) };
}

/** Converse / ConverseStream members that ask for the answer. */
export function converseAnswerFields(plan: AnswerPlan): Json {
  if (plan.wire === 'native') {
    return {
      outputConfig: {
        textFormat: {
          type: 'json_schema',
          structure: { jsonSchema: { schema: plan.schemaText, name: ANSWER_TOOL } },
        },
      },
    };
  }
  return {
    toolConfig: {
      tools: [
        {
          toolSpec: { name: ANSWER_TOOL, description: TOOL_DESCRIPTION, inputSchema: { json: plan.schema } },
        },
      ],
      toolChoice: { tool: { name: ANSWER_TOOL } },
    },
  };
}

/** InvokeModel body members that ask for the answer (only Anthropic and Nova get this far). */
export function invokeAnswerFields(plan: AnswerPlan, family: string): Json {
  if (family === 'anthropic') {
    if (plan.wire === 'native')
      return { output_config: { format: { type: 'json_schema', schema: plan.schema } } };
    return {
      tools: [{ name: ANSWER_TOOL, description: TOOL_DESCRIPTION, input_schema: plan.schema }],
      tool_choice: { type: 'tool', name: ANSWER_TOOL },
    };
  }
  return converseAnswerFields({ ...plan, wire: 'tool' });
}

/** Converse / ConverseStream input with the attachments and the answer fields added. */
export function shapeConverseInput<T extends { messages?: unknown }>(input: T, request: PromptRequest): T {
  let shaped = input;
  if (request.attachmentBlocks?.length) {
    const blocks = request.attachmentBlocks;
    shaped = { ...shaped, messages: prependToLastUser(input.messages as Json[], () => blocks) };
  }
  if (request.answer) shaped = { ...shaped, ...converseAnswerFields(request.answer) };
  return shaped;
}

/**
 * CountTokens' Converse input with the attachments and, for the forced tool, its toolConfig
 * (CountTokens takes no outputConfig: native structured output's schema is not counted there).
 */
export function shapeCountTokensInput<T extends { messages?: unknown }>(input: T, request: PromptRequest): T {
  const { outputConfig: _, ...shaped } = shapeConverseInput(input, request) as T & { outputConfig?: unknown };
  return shaped as T;
}

/** An InvokeModel body with the attachments and the answer fields added, in the family's own form. */
export function shapeInvokeBody(body: Json, request: PromptRequest): Json {
  if (request.nativeBody !== undefined) return body; // a batch record's body is sent as it is
  const family = familyName(request.model);
  let shaped = body;
  const blocks = request.attachmentBlocks;
  if (blocks?.length) {
    const native = (b: readonly AttachmentBlock[]) =>
      family === 'anthropic' ? anthropicBlocks(b) : novaBlocks(b);
    shaped = { ...shaped, messages: prependToLastUser(body.messages as Json[], () => native(blocks)) };
  }
  if (request.answer) shaped = { ...shaped, ...invokeAnswerFields(request.answer, family) };
  return shaped;
}

/** Files go before the prompt in the last user turn (Anthropic's advice: documents, then the question). */
function prependToLastUser(messages: Json[], blocks: () => unknown[]): Json[] {
  const last = messages.map((m) => m.role).lastIndexOf('user');
  return messages.map((m, i) =>
    i === last ? { ...m, content: [...blocks(), ...((m.content as unknown[] | undefined) ?? [])] } : m,
  );
}
