/**
 * Converse rules Bedrock checks after the request fits its API model, each with Bedrock's own
 * wording (quoted from refusals seen on Bedrock; docs/emulator-validation.md has the sources):
 * document names, a source union with no member set, and a text block beside documents.
 */
import { hasFeature, type ModelInfo } from '../catalogue/catalogue.js';
import { EmulatedError } from '../wire/exceptions.js';
import { isObject } from '../wire/validate.js';

/**
 * DocumentBlock.name: alphanumerics, whitespace (never two in a row), hyphens, parentheses, square
 * brackets. Bedrock also takes underscores and refuses tabs and non-ASCII spaces (observed), so the
 * emulator does the same.
 */
const DOCUMENT_NAME = /^[A-Za-z0-9 _\-()[\]]*$/;
export const DOCUMENT_NAME_MESSAGE =
  "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character. Check that the file name conforms to these restrictions and retry your request.";
const DOCUMENT_NEEDS_TEXT =
  'A text block must be included when using documents. Add a text block and retry your request.';

/** The source unions of the media blocks: their shape names and members (botocore). */
const SOURCES: Record<string, [string, string[]]> = {
  image: ['ImageSource', ['bytes', 's3Location']],
  document: ['DocumentSource', ['bytes', 's3Location', 'text', 'content']],
  video: ['VideoSource', ['bytes', 's3Location']],
  audio: ['AudioSource', ['bytes', 's3Location']],
};

const fail = (message: string): never => {
  throw new EmulatedError('ValidationException', message);
};

export function messageRules(messages: unknown[], model: ModelInfo): void {
  for (const [i, message] of messages.entries()) {
    const content = isObject(message) && Array.isArray(message.content) ? message.content : [];
    for (const [j, block] of content.entries()) {
      if (!isObject(block)) continue;
      for (const [kind, [shape, members]] of Object.entries(SOURCES)) {
        const source = isObject(block[kind]) ? block[kind].source : undefined;
        if (isObject(source) && !members.some((m) => source[m] !== undefined && source[m] !== null))
          fail(
            `${shape} object at messages.${i}.content.${j}.${kind}.source must set one of the following keys: ${members.join(', ')}.`,
          );
      }
      documentNames(block);
    }
    const hasDocument = content.some((b) => isObject(b) && isObject(b.document));
    const hasText = content.some((b) => isObject(b) && typeof b.text === 'string' && b.text.trim() !== '');
    // A model that takes no documents refuses the block itself first (media.ts, in the prompt walk).
    if (hasDocument && !hasText && hasFeature(model, 'documents')) fail(DOCUMENT_NEEDS_TEXT);
  }
}

/** Every document name in a content block, tool results' documents included. */
function documentNames(block: unknown): void {
  if (!isObject(block)) return;
  const name = isObject(block.document) ? block.document.name : undefined;
  if (typeof name === 'string' && (!DOCUMENT_NAME.test(name) || /\s\s/.test(name)))
    fail(DOCUMENT_NAME_MESSAGE);
  const inner = isObject(block.toolResult) ? block.toolResult.content : undefined;
  for (const item of Array.isArray(inner) ? inner : []) documentNames(item);
}
