/**
 * The prompt of a Converse-shaped body (Converse itself and Nova's native body), walked in the
 * order a cache prefix runs: tools, system, then messages. Checks the conversation rules and each
 * content block with Bedrock's wording, counts every token (texts, tool definitions, images,
 * documents), and places the cache points.
 */
import { MAX_CACHE_POINTS, Prefix } from '../behaviour/cache.js';
import { checkAttachment, documentTokens, fromBase64, imageTokens, videoTokens } from '../behaviour/media.js';
import { countTokens } from '../behaviour/text.js';
import {
  checkChoice,
  checkToolName,
  TOOLCONFIG_REQUIRED,
  type ToolChoice,
  type ToolDef,
} from '../behaviour/tools.js';
import type { ModelInfo } from '../catalogue/catalogue.js';
import { EmulatedError } from '../wire/exceptions.js';
import { isObject, Violations } from '../wire/validate.js';
import { checkImageBytes } from './image-bytes.js';

const CONTENT_KINDS = [
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
];

const START_WITH_USER =
  'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
const ALTERNATE =
  'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';

export interface Prompt {
  texts: string[];
  lastUserText: string;
  afterToolResult: boolean;
  tools: ToolDef[];
  toolChoice?: ToolChoice;
  prefix: Prefix;
}

function fail(message: string): never {
  throw new EmulatedError('ValidationException', message);
}

export function walkPrompt(
  model: ModelInfo,
  messages: unknown[],
  system: unknown[] | undefined,
  toolConfig: unknown,
): Prompt {
  const prefix = new Prefix();
  const prompt: Prompt = { texts: [], lastUserText: '', afterToolResult: false, tools: [], prefix };
  if (toolConfig !== undefined) tools(model, toolConfig, prompt);
  for (const [i, block] of (system ?? []).entries()) {
    if (isObject(block) && 'cachePoint' in block) {
      cachePoint(block.cachePoint, `system.${i + 1}.member.cachePoint`, prefix);
    } else if (isObject(block) && 'text' in block) {
      if (typeof block.text !== 'string' || block.text.trim() === '')
        fail(
          `The text field in the SystemContentBlock object at system.${i} is blank. Add text to the text field, and try again.`,
        );
      prompt.texts.push(block.text);
      prefix.add(block, countTokens(block.text));
    } else if (isObject(block) && isObject(block.guardContent)) {
      const text = isObject(block.guardContent.text) ? String(block.guardContent.text.text ?? '') : '';
      prefix.add(block, countTokens(text));
    }
  }
  conversation(model, messages, prompt, toolConfig !== undefined);
  if (prefix.points.length > MAX_CACHE_POINTS)
    fail(
      `A maximum of ${MAX_CACHE_POINTS} blocks with cache_control may be provided. Found ${prefix.points.length}.`,
    );
  return prompt;
}

function tools(model: ModelInfo, config: unknown, prompt: Prompt): void {
  const v = new Violations();
  if (!isObject(config)) {
    v.add('toolConfig', config, 'Member must be a structure');
    v.throwIfAny();
  }
  const { tools: list, toolChoice } = config as Record<string, unknown>;
  if (!Array.isArray(list)) v.add('toolConfig.tools', list, 'Member must not be null');
  else if (list.length === 0)
    v.add('toolConfig.tools', list, 'Member must have length greater than or equal to 1');
  v.throwIfAny();
  if (!model.features.includes('tools')) fail("This model doesn't support tool use.");
  for (const [i, tool] of (list as unknown[]).entries()) {
    if (isObject(tool) && 'cachePoint' in tool) {
      cachePoint(tool.cachePoint, `toolConfig.tools.${i + 1}.member.cachePoint`, prompt.prefix);
      continue;
    }
    const spec = isObject(tool) ? tool.toolSpec : undefined;
    if (!isObject(spec)) continue;
    const name = checkToolName(spec.name, `toolConfig.tools.${i + 1}.member.toolSpec.name`);
    const schema = isObject(spec.inputSchema) ? spec.inputSchema.json : undefined;
    prompt.tools.push({ name, schema });
    prompt.prefix.add(tool, countTokens(JSON.stringify(spec)));
  }
  if (toolChoice !== undefined) {
    const choice = isObject(toolChoice) ? toolChoice : {};
    if ('any' in choice) {
      if (model.family === 'llama')
        fail(
          "This model doesn't support the toolConfig.toolChoice.any field. Remove toolConfig.toolChoice.any and try again.",
        );
      prompt.toolChoice = 'any';
    } else if ('tool' in choice) {
      const name = isObject(choice.tool) ? choice.tool.name : undefined;
      prompt.toolChoice = { name: checkToolName(name, 'toolConfig.toolChoice.tool.name') };
    } else if ('auto' in choice) {
      prompt.toolChoice = 'auto';
    }
    checkChoice(prompt.tools, prompt.toolChoice);
  }
}

function cachePoint(point: unknown, path: string, prefix: Prefix): void {
  const v = new Violations();
  if (!isObject(point)) v.add(path, point, 'Member must be a structure');
  else if (point.type !== 'default')
    v.add(`${path}.type`, point.type, 'Member must satisfy enum value set: [default]');
  else if (point.ttl !== undefined && point.ttl !== '5m' && point.ttl !== '1h')
    v.add(`${path}.ttl`, point.ttl, 'Member must satisfy enum value set: [5m, 1h]');
  v.throwIfAny();
  prefix.point((point as Record<string, unknown>).ttl);
}

function conversation(model: ModelInfo, messages: unknown[], prompt: Prompt, hasToolConfig: boolean): void {
  if (messages.length === 0) fail(START_WITH_USER);
  let previous: unknown;
  for (const [i, message] of messages.entries()) {
    const v = new Violations();
    if (!isObject(message)) {
      v.add(`messages.${i + 1}.member`, message, 'Member must be a structure');
      v.throwIfAny();
      continue;
    }
    if (message.role !== 'user' && message.role !== 'assistant')
      v.add(
        `messages.${i + 1}.member.role`,
        message.role,
        'Member must satisfy enum value set: [user, assistant]',
      );
    if (!Array.isArray(message.content))
      v.add(`messages.${i + 1}.member.content`, message.content, 'Member must not be null');
    v.throwIfAny();
    if (i === 0 && message.role !== 'user') fail(START_WITH_USER);
    if (message.role === previous) fail(ALTERNATE);
    previous = message.role;
    const content = message.content as unknown[];
    if (content.length === 0)
      fail(
        `The content field in the Message object at messages.${i}.content is empty. Add a ContentBlock object to the content field and try again.`,
      );
    const last = i === messages.length - 1 && message.role === 'user';
    if (last) prompt.afterToolResult = false;
    const userTexts: string[] = [];
    for (const [j, block] of content.entries()) {
      const kinds = isObject(block) ? Object.keys(block).filter((k) => CONTENT_KINDS.includes(k)) : [];
      if (!isObject(block) || kinds.length !== 1 || Object.keys(block).length !== 1)
        fail(
          `Invalid content block in messages.${i}.content: exactly one of ${CONTENT_KINDS.join(', ')} must be set.`,
        );
      const kind = kinds[0] as string;
      const at = `messages.${i}.content.${j}`;
      const tokens = blockTokens(model, kind, block, at, prompt, hasToolConfig);
      if (tokens !== undefined) prompt.prefix.add(block, tokens);
      if (kind === 'text') userTexts.push(block.text as string);
      if (last && kind === 'toolResult') prompt.afterToolResult = true;
    }
    if (last) prompt.lastUserText = userTexts.join('\n');
  }
}

function blockTokens(
  model: ModelInfo,
  kind: string,
  block: Record<string, unknown>,
  at: string,
  prompt: Prompt,
  hasToolConfig: boolean,
): number | undefined {
  const value = block[kind];
  const inner = isObject(value) ? value : {};
  const source = isObject(inner.source) ? inner.source : {};
  switch (kind) {
    case 'text':
      if (typeof value !== 'string' || value.trim() === '')
        fail(
          `The text field in the ContentBlock object at ${at} is blank. Add text to the text field, and try again.`,
        );
      prompt.texts.push(value);
      return countTokens(value);
    case 'cachePoint':
      cachePoint(value, `${at}.cachePoint`, prompt.prefix);
      return undefined;
    case 'image':
      checkAttachment(model, 'image');
      checkImageBytes(model, inner.format, fromBase64(source.bytes), at);
      return imageTokens(fromBase64(source.bytes));
    case 'document': {
      checkAttachment(model, 'document');
      const text =
        typeof source.text === 'string'
          ? source.text
          : Array.isArray(source.content)
            ? source.content.map((c) => (isObject(c) ? String(c.text ?? '') : '')).join('\n')
            : undefined;
      const format = typeof inner.format === 'string' ? inner.format : undefined;
      return documentTokens(format, fromBase64(source.bytes), text);
    }
    case 'video':
    case 'audio':
      checkAttachment(model, kind);
      return videoTokens(fromBase64(source.bytes));
    case 'toolUse':
    case 'toolResult': {
      if (!hasToolConfig) fail(TOOLCONFIG_REQUIRED);
      const payload =
        kind === 'toolUse' ? JSON.stringify(inner.input ?? {}) : JSON.stringify(inner.content ?? []);
      return countTokens(payload);
    }
    case 'reasoningContent': {
      const reasoning = isObject(inner.reasoningText) ? String(inner.reasoningText.text ?? '') : '';
      return countTokens(reasoning);
    }
    default:
      return countTokens(JSON.stringify(value));
  }
}
