/**
 * Call-time shaping of a request's extras, laid over the Converse input or the InvokeModel body
 * the core built: the attachments (their bytes read now, when the row is sent) and the answer
 * schema. Converse: native structured output is
 * `outputConfig.textFormat` with the schema as a string; the forced tool is one tool whose
 * `inputSchema.json` is the schema, chosen by `toolChoice.tool`. InvokeModel: Anthropic
 * `output_config.format` or `tools` + `tool_choice`; Nova's `toolConfig`.
 */
import type { PromptRequest } from '../types.js';
import { ANSWER_TOOL, converseAnswerFields } from './answer-tool.js';
import { loadBlocks } from './attachment-blocks.js';
import { codecFor } from './families/index.js';

export { ANSWER_TOOL, converseAnswerFields };

type Json = Record<string, unknown>;

/** The request with its attachments' blocks loaded (a copy); the same request when it has none. */
export async function withLoadedAttachments(request: PromptRequest): Promise<PromptRequest> {
  if (!request.attachments?.length) return request;
  return { ...request, attachmentBlocks: await loadBlocks(request.attachments) };
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
  const codec = codecFor(request.model);
  let shaped = body;
  const blocks = request.attachmentBlocks;
  const native = codec?.invokeAttachments;
  // The plan refused attachments and answers a family's body cannot take, before anything was sent.
  if (blocks?.length && native)
    shaped = { ...shaped, messages: prependToLastUser(body.messages as Json[], () => native.blocks(blocks)) };
  if (request.answer) shaped = { ...shaped, ...(codec?.invokeAnswer?.(request.answer) ?? {}) };
  return shaped;
}

/** Files go before the prompt in the last user turn (Anthropic's advice: documents, then the question). */
function prependToLastUser(messages: Json[], blocks: () => unknown[]): Json[] {
  const last = messages.map((m) => m.role).lastIndexOf('user');
  return messages.map((m, i) =>
    i === last ? { ...m, content: [...blocks(), ...((m.content as unknown[] | undefined) ?? [])] } : m,
  );
}
