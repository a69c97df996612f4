/**
 * The `application/vnd.amazon.eventstream` encoder: a prelude with
 * both lengths and its CRC32, string headers (type 7, the only kind Bedrock uses), the payload, and
 * a CRC32 over everything before it. The AWS SDKs check both CRCs, so a bug here shows at once.
 */
import { crc32 } from 'node:zlib';

const STRING = 7;
const MAX_HEADER_VALUE = 32_767;

/** One event-stream message; headers are written in the order given, as Bedrock orders them. */
export function encodeMessage(headers: ReadonlyArray<readonly [string, string]>, payload: Buffer): Buffer {
  const encodedHeaders = Buffer.concat(headers.map(([name, value]) => encodeHeader(name, value)));
  const total = 12 + encodedHeaders.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(encodedHeaders.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  encodedHeaders.copy(message, 12);
  payload.copy(message, 12 + encodedHeaders.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

function encodeHeader(name: string, value: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const valueBytes = Buffer.from(value, 'utf8');
  if (nameBytes.length < 1 || nameBytes.length > 255) throw new RangeError(`header name too long: ${name}`);
  if (valueBytes.length > MAX_HEADER_VALUE) throw new RangeError(`header value too long for ${name}`);
  const header = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
  header.writeUInt8(nameBytes.length, 0);
  nameBytes.copy(header, 1);
  header.writeUInt8(STRING, 1 + nameBytes.length);
  header.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
  valueBytes.copy(header, 4 + nameBytes.length);
  return header;
}

/** An event of a stream union (`messageStart`, `chunk`, ...) with its member's JSON as payload. */
export function eventMessage(eventType: string, payload: unknown): Buffer {
  return encodeMessage(
    [
      [':event-type', eventType],
      [':content-type', 'application/json'],
      [':message-type', 'event'],
    ],
    Buffer.from(JSON.stringify(payload), 'utf8'),
  );
}

/** A modeled exception inside a stream; `exceptionType` is the lowerCamel union member name. */
export function exceptionMessage(exceptionType: string, payload: unknown): Buffer {
  return encodeMessage(
    [
      [':exception-type', exceptionType],
      [':content-type', 'application/json'],
      [':message-type', 'exception'],
    ],
    Buffer.from(JSON.stringify(payload), 'utf8'),
  );
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The `p` field real Bedrock adds to every stream event: a prefix of the alphabet whose length
 * varies, so frame sizes do not give away the length of the text. `draw` is in [0, 1).
 */
export function padding(draw: number): string {
  return ALPHABET.slice(0, 1 + Math.floor(draw * ALPHABET.length));
}
