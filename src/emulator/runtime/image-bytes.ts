/**
 * The bytes of an image block must be an image of the format it names. Bedrock's own validation
 * checks only the format's name; the model then looks at the bytes, so the refusal is the model's,
 * wrapped as `The model returned the following errors: ...`. Claude names the block and both media
 * types (observed on Bedrock, see docs/emulator-validation.md); Llama's wording is shorter and is
 * used for the other families.
 */
import type { ModelInfo } from '../catalogue/catalogue.js';
import { EmulatedError } from '../wire/exceptions.js';

/** The format the bytes' signature shows: the magic numbers of PNG, JPEG, GIF and WebP. */
export function sniffImage(b: Buffer): 'png' | 'jpeg' | 'gif' | 'webp' | undefined {
  // PNG's signature is 8 bytes; its first 4 (\x89PNG) are what tells it apart, as file(1) reads it.
  if (b.length >= 4 && b.readUInt32BE(0) === 0x89504e47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  const head = b.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') return 'gif';
  if (b.length >= 12 && head.startsWith('RIFF') && b.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'webp';
  return undefined;
}

/** Refuses bytes that are not an image of `format`; `at` is `messages.0.content.1`. */
export function checkImageBytes(
  model: ModelInfo,
  format: unknown,
  bytes: Buffer | undefined,
  at: string,
): void {
  if (bytes === undefined || typeof format !== 'string') return; // an S3 location: not read here
  const found = sniffImage(bytes);
  if (found === format) return;
  const problem =
    model.family !== 'anthropic'
      ? 'The provided image does not match the specified image format.'
      : found === undefined
        ? `${at}.image.source.bytes: Could not process image`
        : `${at}.image.source.bytes: The image was specified using the image/${format} media type, but the image appears to be a image/${found} image`;
  throw new EmulatedError('ValidationException', `The model returned the following errors: ${problem}`);
}
