/**
 * An independent event-stream decoder for tests that look at the raw bytes (the clients drop
 * fields such as the `p` padding): checks both CRCs and reads string headers.
 */
import { crc32 } from 'node:zlib';

export interface Frame {
  headers: Record<string, string>;
  payload: Buffer;
}

export function decodeFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const total = bytes.readUInt32BE(offset);
    const headersLength = bytes.readUInt32BE(offset + 4);
    const frame = bytes.subarray(offset, offset + total);
    if (frame.length !== total) throw new Error('truncated frame');
    if (crc32(frame.subarray(0, 8)) !== frame.readUInt32BE(8)) throw new Error('bad prelude CRC');
    if (crc32(frame.subarray(0, total - 4)) !== frame.readUInt32BE(total - 4))
      throw new Error('bad message CRC');
    const headers: Record<string, string> = {};
    let at = 12;
    while (at < 12 + headersLength) {
      const nameLength = frame.readUInt8(at);
      const name = frame.subarray(at + 1, at + 1 + nameLength).toString('utf8');
      const type = frame.readUInt8(at + 1 + nameLength);
      if (type !== 7) throw new Error(`header ${name} has type ${type}, not string`);
      const valueLength = frame.readUInt16BE(at + 2 + nameLength);
      headers[name] = frame.subarray(at + 4 + nameLength, at + 4 + nameLength + valueLength).toString('utf8');
      at += 4 + nameLength + valueLength;
    }
    frames.push({ headers, payload: frame.subarray(12 + headersLength, total - 4) });
    offset += total;
  }
  return frames;
}

export function json(frame: Frame): Record<string, unknown> {
  return JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>;
}
