/**
 * The members of a Converse request that Bedrock's front door checks against its API model before
 * any model sees the request (botocore's `bedrock-runtime` service-2.json): enums, lengths,
 * patterns and required members of content blocks, `requestMetadata` and
 * `additionalModelResponseFieldPaths`. Every violation is collected and reported at once, as
 * Bedrock does (`2 validation errors detected: ...`). docs/emulator-validation.md lists each rule
 * and the shape it comes from.
 */
import type { ModelInfo } from '../catalogue/catalogue.js';
import { isObject, Violations } from '../wire/validate.js';
import { messageRules } from './converse-rules.js';
import { checkPointers, checkResponseFieldPaths } from './response-fields.js';

/** botocore enums: ImageFormat, DocumentFormat, VideoFormat, AudioFormat, GuardrailConverseImageFormat. */
export const IMAGE_FORMATS = ['png', 'jpeg', 'gif', 'webp'] as const;
const DOCUMENT_FORMATS = ['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md'];
const VIDEO_FORMATS = ['mkv', 'mov', 'mp4', 'webm', 'flv', 'mpeg', 'mpg', 'wmv', 'three_gp'];
const AUDIO_FORMATS = [
  ...['mp3', 'opus', 'wav', 'aac', 'flac', 'mp4', 'ogg', 'mkv', 'mka', 'x-aac', 'm4a', 'mpeg', 'mpga'],
  ...['pcm', 'webm'],
];
const GUARD_IMAGE_FORMATS = ['png', 'jpeg'];

/** RequestMetadataKeyString / ValueString: the pattern is Java's, where `\s` is ASCII whitespace. */
const META_KEY = /^[a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,\-.]{1,256}$/;
const META_VALUE = /^[a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,\-.]{0,256}$/;
const META_PATTERN = '[a-zA-Z0-9\\s:_@$#=/+,-.]';

/**
 * Checks what the model-independent validation checks; returns the response field paths for the
 * Generation (only where the model's native response has such fields to return).
 */
export function converseMembers(
  request: Record<string, unknown>,
  model: ModelInfo,
): { responseFieldPaths?: string[] } {
  const v = new Violations();
  if (Array.isArray(request.messages))
    for (const [i, message] of request.messages.entries())
      if (isObject(message) && Array.isArray(message.content))
        for (const [j, block] of message.content.entries())
          if (isObject(block)) contentBlock(v, block, `messages.${i + 1}.member.content.${j + 1}.member`);
  requestMetadata(v, request.requestMetadata);
  const paths = checkResponseFieldPaths(v, request.additionalModelResponseFieldPaths);
  v.throwIfAny();
  if (paths) checkPointers(paths);
  // Bedrock's own rules, checked once the model's constraints pass.
  if (Array.isArray(request.messages)) messageRules(request.messages, model);
  return paths && model.family === 'anthropic' ? { responseFieldPaths: paths } : {};
}

function contentBlock(v: Violations, block: Record<string, unknown>, at: string): void {
  const media = (kind: string, formats: readonly string[], sources: string[]) => {
    const inner = block[kind];
    if (!isObject(inner)) return;
    if (v.required(`${at}.${kind}.format`, inner.format))
      v.oneOf(`${at}.${kind}.format`, inner.format, formats);
    source(v, inner.source, `${at}.${kind}.source`, sources);
  };
  media('image', IMAGE_FORMATS, ['bytes', 's3Location']);
  media('video', VIDEO_FORMATS, ['bytes', 's3Location']);
  media('audio', AUDIO_FORMATS, ['bytes', 's3Location']);
  if (isObject(block.document)) {
    const doc = block.document;
    v.oneOf(`${at}.document.format`, doc.format, DOCUMENT_FORMATS);
    if (v.required(`${at}.document.name`, doc.name) && typeof doc.name === 'string') {
      if (doc.name.length < 1)
        v.hidden(`${at}.document.name`, 'Member must have length greater than or equal to 1');
      if (doc.name.length > 200)
        v.hidden(`${at}.document.name`, 'Member must have length less than or equal to 200');
    }
    source(v, doc.source, `${at}.document.source`, ['bytes', 's3Location', 'text', 'content']);
  }
  if (isObject(block.toolUse))
    for (const member of ['toolUseId', 'name', 'input'])
      v.required(`${at}.toolUse.${member}`, block.toolUse[member]);
  if (isObject(block.toolResult)) {
    const { toolUseId, content } = block.toolResult;
    v.required(`${at}.toolResult.toolUseId`, toolUseId);
    v.required(`${at}.toolResult.content`, content);
    // ToolResultContentBlock holds image, document and video blocks of the same shapes.
    for (const [k, inner] of (Array.isArray(content) ? content : []).entries())
      if (isObject(inner)) contentBlock(v, inner, `${at}.toolResult.content.${k + 1}.member`);
  }
  const guard = isObject(block.guardContent) ? block.guardContent.image : undefined;
  if (isObject(guard)) {
    if (v.required(`${at}.guardContent.image.format`, guard.format))
      v.oneOf(`${at}.guardContent.image.format`, guard.format, GUARD_IMAGE_FORMATS);
    source(v, guard.source, `${at}.guardContent.image.source`, ['bytes']);
  }
}

/** A source union: required, at most one of its members set; blobs at least one byte; S3 needs a uri. */
function source(v: Violations, value: unknown, at: string, members: string[]): void {
  if (!isObject(value)) {
    v.add(at, null, 'Member must not be null');
    return;
  }
  // None set is not the model's violation but a rule of its own (converse-rules.ts).
  const set = members.filter((m) => value[m] !== undefined && value[m] !== null);
  if (set.length > 1) v.hidden(at, `Member must have exactly one of [${members.join(', ')}] set`);
  if (value.bytes === '') v.hidden(`${at}.bytes`, 'Member must have length greater than or equal to 1');
  if (isObject(value.s3Location)) v.required(`${at}.s3Location.uri`, value.s3Location.uri);
}

/**
 * InvokeModel's `X-Amzn-Bedrock-Request-Metadata` header (a JSON map, reference 2.4): the same rules
 * as Converse's member; returns the map, or undefined when the header is absent.
 */
export function headerMetadata(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = value;
  }
  const v = new Violations();
  requestMetadata(v, parsed);
  v.throwIfAny();
  return parsed as Record<string, string>;
}

/** RequestMetadata: a map of 1 to 16 entries, keys and values by pattern (a sensitive shape). */
function requestMetadata(v: Violations, value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    v.hidden('requestMetadata', 'Member must be a map');
    return;
  }
  const entries = Object.entries(value);
  if (entries.length < 1) v.hidden('requestMetadata', 'Member must have length greater than or equal to 1');
  if (entries.length > 16) v.hidden('requestMetadata', 'Member must have length less than or equal to 16');
  if (entries.some(([key]) => !META_KEY.test(key)))
    v.hidden(
      'requestMetadata',
      `Map keys must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${META_PATTERN}{1,256}]`,
    );
  if (entries.some(([, text]) => typeof text !== 'string' || !META_VALUE.test(text)))
    v.hidden(
      'requestMetadata',
      `Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: ${META_PATTERN}{0,256}]`,
    );
}
