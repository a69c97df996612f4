/**
 * Call-time shaping of a request's extras: attachments (bytes read now, when the row is sent) and
 * the answer schema, laid over the Converse input or the InvokeModel body the core built. The core
 * calls these three functions and knows nothing else about either feature.
 */
import { familyOf } from '../bedrock/models.js';
import { anthropicBlocks, novaBlocks } from '../input/attachment-native.js';
import { type AttachmentBlock, loadBlocks } from '../input/attachments.js';
import type { PromptRequest } from '../types.js';
import { converseAnswerFields, invokeAnswerFields } from './request.js';

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

/** An InvokeModel body with the attachments and the answer fields added, in the family's own form. */
export function shapeInvokeBody(body: Json, request: PromptRequest): Json {
  if (request.nativeBody !== undefined) return body; // a batch record's body is sent as it is
  const family = familyOf(request.model);
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
