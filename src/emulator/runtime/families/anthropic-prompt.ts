/**
 * The prompt of an Anthropic Messages body, walked in cache-prefix order (tools, system,
 * messages): token counts for texts, tool definitions, images and documents, `cache_control`
 * breakpoints (at most four), tools and `tool_choice`, and Anthropic's rule that tool blocks need
 * tools defined.
 */
import { MAX_CACHE_POINTS, Prefix } from '../../behaviour/cache.js';
import { checkAttachment, documentTokens, fromBase64, imageTokens } from '../../behaviour/media.js';
import { countTokens } from '../../behaviour/text.js';
import { checkChoice, checkToolName, type ToolChoice } from '../../behaviour/tools.js';
import type { ModelInfo } from '../../catalogue/catalogue.js';
import { EmulatedError } from '../../wire/exceptions.js';
import { isObject } from '../../wire/validate.js';
import type { Prompt } from '../converse-content.js';

function fail(message: string): never {
  throw new EmulatedError('ValidationException', message);
}

export function walkAnthropic(model: ModelInfo, request: Record<string, unknown>): Prompt {
  const prefix = new Prefix();
  const prompt: Prompt = { texts: [], lastUserText: '', afterToolResult: false, tools: [], prefix };
  const mark = (block: Record<string, unknown>) => {
    const control = block.cache_control;
    if (control === undefined || control === null) return;
    if (!isObject(control) || control.type !== 'ephemeral')
      fail("cache_control.type: Input should be 'ephemeral'");
    prefix.point(control.ttl);
  };
  const tools = Array.isArray(request.tools) ? request.tools : [];
  if (tools.length > 0 && !model.features.includes('tools')) fail('tools: Extra inputs are not permitted');
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) fail(`tools.${i}: Input should be a valid dictionary`);
    const name = checkToolName(tool.name, `tools.${i}.name`);
    prompt.tools.push({ name, schema: tool.input_schema });
    const { cache_control: _, ...definition } = tool;
    prefix.add(definition, countTokens(JSON.stringify(definition)));
    mark(tool);
  }
  prompt.toolChoice = choice(request.tool_choice);
  checkChoice(prompt.tools, prompt.toolChoice);
  if (typeof request.system === 'string') {
    prompt.texts.push(request.system);
    prefix.add(request.system, countTokens(request.system));
  } else if (Array.isArray(request.system)) {
    for (const block of request.system) {
      if (!isObject(block) || typeof block.text !== 'string') continue;
      if (block.text === '') fail('system: text content blocks must be non-empty');
      prompt.texts.push(block.text);
      prefix.add({ text: block.text }, countTokens(block.text));
      mark(block);
    }
  }
  const messages = request.messages as Array<{ role: string; content: unknown }>;
  for (const [i, message] of messages.entries()) {
    const last = i === messages.length - 1 && message.role === 'user';
    const content =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : (message.content as unknown[]);
    const userTexts: string[] = [];
    let toolResult = false;
    for (const [j, block] of content.entries()) {
      if (!isObject(block)) fail(`messages.${i}.content.${j}: Input should be a valid dictionary`);
      const { cache_control: _, ...plain } = block;
      const source = isObject(block.source) ? block.source : {};
      switch (block.type) {
        case 'text':
          if (typeof block.text !== 'string' || block.text === '')
            fail(`messages.${i}.content.${j}.text: text content blocks must be non-empty`);
          prompt.texts.push(block.text);
          userTexts.push(block.text);
          prefix.add(plain, countTokens(block.text));
          break;
        case 'image':
          checkAttachment(model, 'image');
          prefix.add(plain, imageTokens(fromBase64(source.data)));
          break;
        case 'document': {
          checkAttachment(model, 'document');
          const text = source.type === 'text' && typeof source.data === 'string' ? source.data : undefined;
          const bytes = source.type === 'base64' ? fromBase64(source.data) : undefined;
          prefix.add(
            plain,
            documentTokens(source.media_type === 'application/pdf' ? 'pdf' : undefined, bytes, text),
          );
          break;
        }
        case 'tool_use':
        case 'tool_result':
          if (prompt.tools.length === 0)
            fail('Requests which include `tool_use` or `tool_result` blocks must define tools.');
          if (block.type === 'tool_result') toolResult = true;
          prefix.add(plain, countTokens(JSON.stringify(block.input ?? block.content ?? '')));
          break;
        case 'thinking':
          prefix.add(plain, countTokens(String(block.thinking ?? '')));
          break;
        default:
          prefix.add(plain, countTokens(JSON.stringify(plain)));
      }
      mark(block);
    }
    if (last) {
      prompt.lastUserText = userTexts.join('\n');
      prompt.afterToolResult = toolResult;
    }
  }
  if (prefix.points.length > MAX_CACHE_POINTS)
    fail(
      `A maximum of ${MAX_CACHE_POINTS} blocks with cache_control may be provided. Found ${prefix.points.length}.`,
    );
  return prompt;
}

function choice(value: unknown): ToolChoice | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) fail('tool_choice: Input should be a valid dictionary');
  switch (value.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'any';
    case 'none':
      return 'none';
    case 'tool':
      return { name: checkToolName(value.name, 'tool_choice.name') };
    default:
      return fail(
        "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'",
      );
  }
}
