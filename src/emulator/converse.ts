/**
 * Converse (and ConverseStream's request side): validation with Bedrock's wording, reduction to a
 * Generation, and the Converse response body.
 */
import type { ModelInfo } from './catalogue.js';
import { EmulatedError } from './exceptions.js';
import { canonicalJson, type Generation, type Planned } from './generation.js';
import { isObject, parseJson, Violations } from './validate.js';

const CONTENT_KINDS = new Set([
  'text',
  'image',
  'document',
  'video',
  'audio',
  'toolUse',
  'toolResult',
  'guardContent',
  'cachePoint',
  'reasoningContent',
  'citationsContent',
  'searchResult',
]);

const START_WITH_USER =
  'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
const ALTERNATE =
  'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';

export function parseConverse(body: Buffer, model: ModelInfo): Generation {
  return converseGeneration(parseJson(body), model);
}

/** A parsed Converse body (also CountTokens' `input.converse`) validated and reduced. */
export function converseGeneration(request: unknown, model: ModelInfo): Generation {
  if (!isObject(request)) throw new EmulatedError('ValidationException');
  const v = new Violations();
  const { messages, system, inferenceConfig } = request;
  if (messages === undefined || messages === null) v.add('messages', null, 'Member must not be null');
  else if (!Array.isArray(messages)) v.add('messages', messages, 'Member must be a list');
  if (system !== undefined && !Array.isArray(system)) v.add('system', system, 'Member must be a list');
  if (inferenceConfig !== undefined && !isObject(inferenceConfig))
    v.add('inferenceConfig', inferenceConfig, 'Member must be a structure');
  const config = isObject(inferenceConfig) ? inferenceConfig : {};
  v.number('inferenceConfig.maxTokens', config.maxTokens, 1, Number.MAX_SAFE_INTEGER, true);
  v.number('inferenceConfig.temperature', config.temperature, 0, 1);
  v.number('inferenceConfig.topP', config.topP, 0, 1);
  const stops = config.stopSequences;
  if (
    stops !== undefined &&
    (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string' || s === ''))
  ) {
    v.add(
      'inferenceConfig.stopSequences',
      stops,
      'Member must be a list of strings of length greater than or equal to 1',
    );
  }
  v.throwIfAny();

  const list = messages as unknown[];
  const texts: string[] = [];
  for (const block of (system as unknown[] | undefined) ?? []) {
    if (isObject(block) && typeof block.text === 'string') texts.push(block.text);
  }
  checkMessages(list, texts);

  const maxTokens = (config.maxTokens as number | undefined) ?? Math.min(4096, model.maxOutputTokens);
  if (maxTokens > model.maxOutputTokens) {
    throw new EmulatedError(
      'ValidationException',
      `The maximum tokens you requested exceeds the model limit of ${model.maxOutputTokens}. Try again with a maximum tokens value that is lower than ${model.maxOutputTokens}.`,
    );
  }
  return {
    model,
    texts,
    maxTokens,
    stopSequences: (stops as string[] | undefined) ?? [],
    // Limits and stop sequences only cut a reply short, as on a real model: they are not in the seed.
    canonical: canonicalJson({
      messages,
      system,
      temperature: config.temperature,
      topP: config.topP,
      additional: request.additionalModelRequestFields,
    }),
  };
}

/** Converse's conversation rules (shared with Nova's Converse-shaped native body). */
export function checkMessages(messages: unknown[], texts: string[]): void {
  if (messages.length === 0) throw new EmulatedError('ValidationException', START_WITH_USER);
  let previous: unknown;
  for (const [i, message] of messages.entries()) {
    const v = new Violations();
    if (!isObject(message)) {
      v.add(`messages.${i + 1}.member`, message, 'Member must be a structure');
      v.throwIfAny();
      continue;
    }
    if (message.role !== 'user' && message.role !== 'assistant') {
      v.add(
        `messages.${i + 1}.member.role`,
        message.role,
        'Member must satisfy enum value set: [user, assistant]',
      );
    }
    if (!Array.isArray(message.content))
      v.add(`messages.${i + 1}.member.content`, message.content, 'Member must not be null');
    v.throwIfAny();
    if (i === 0 && message.role !== 'user') throw new EmulatedError('ValidationException', START_WITH_USER);
    if (message.role === previous) throw new EmulatedError('ValidationException', ALTERNATE);
    previous = message.role;
    const content = message.content as unknown[];
    if (content.length === 0) {
      throw new EmulatedError(
        'ValidationException',
        `The content field in the Message object at messages.${i}.content is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    for (const block of content) {
      const kinds = isObject(block) ? Object.keys(block).filter((k) => CONTENT_KINDS.has(k)) : [];
      if (!isObject(block) || kinds.length !== 1 || Object.keys(block).length !== 1) {
        throw new EmulatedError(
          'ValidationException',
          `Invalid content block in messages.${i}.content: exactly one of ${[...CONTENT_KINDS].join(', ')} must be set.`,
        );
      }
      if (kinds[0] !== 'text') continue;
      if (typeof block.text !== 'string' || block.text.trim() === '') {
        throw new EmulatedError(
          'ValidationException',
          `The text field in the ContentBlock object at messages.${i}.content.${content.indexOf(block)} is blank. Add text to the text field, and try again.`,
        );
      }
      texts.push(block.text);
    }
  }
}

/** The Converse response; `latencyMs` is the time the call took, as Bedrock measures it. */
export function converseBody(planned: Planned, latencyMs: number): Record<string, unknown> {
  const { reply, inputTokens } = planned;
  return {
    output: { message: { role: 'assistant', content: [{ text: reply.text }] } },
    stopReason: reply.stopReason,
    usage: { inputTokens, outputTokens: reply.outputTokens, totalTokens: inputTokens + reply.outputTokens },
    metrics: { latencyMs },
  };
}
