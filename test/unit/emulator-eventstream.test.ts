import { EventStreamCodec } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import {
  encodeMessage,
  eventMessage,
  exceptionMessage,
  padding,
} from '../../src/emulator/wire/eventstream.js';
import { decodeFrames } from '../helpers/emulator-eventstream.js';

// reference/bedrock-wire.md §4.4, byte-identical to @smithy/core's EventStreamCodec.encode.
const MESSAGE_STOP =
  'AAAAegAAAFHKLEZlCzpldmVudC10eXBlBwALbWVzc2FnZVN0b3ANOmNvbnRlbnQtdHlwZQcAEGFwcGxpY2F0aW9uL2pzb24NOm1lc3NhZ2UtdHlwZQcABWV2ZW50eyJzdG9wUmVhc29uIjoiZW5kX3R1cm4ifV+/Cfw=';
const THROTTLING_HEX = `
00 00 00 b0 00 00 00 61 4f 50 86 b3 0f 3a 65 78 63 65 70 74 69 6f 6e 2d 74 79 70 65 07 00 13 74 68 72 6f 74 74 6c 69 6e 67 45 78 63 65 70 74 69 6f 6e
0d 3a 63 6f 6e 74 65 6e 74 2d 74 79 70 65 07 00 10 61 70 70 6c 69 63 61 74 69 6f 6e 2f 6a 73 6f 6e 0d 3a 6d 65 73 73 61 67 65 2d 74 79 70 65 07 00 09
65 78 63 65 70 74 69 6f 6e 7b 22 6d 65 73 73 61 67 65 22 3a 22 54 6f 6f 20 6d 61 6e 79 20 74 6f 6b 65 6e 73 2c 20 70 6c 65 61 73 65 20 77 61 69 74
20 62 65 66 6f 72 65 20 74 72 79 69 6e 67 20 61 67 61 69 6e 2e 22 7d f7 0a e5 7f`;

const utf8 = {
  toUtf8: (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  fromUtf8: (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
};

describe('event-stream encoder', () => {
  it.each([
    [
      'messageStop event (§4.4)',
      () => eventMessage('messageStop', { stopReason: 'end_turn' }),
      Buffer.from(MESSAGE_STOP, 'base64'),
    ],
    [
      'throttlingException frame (§4.4)',
      () =>
        exceptionMessage('throttlingException', {
          message: 'Too many tokens, please wait before trying again.',
        }),
      Buffer.from(THROTTLING_HEX.replace(/\s+/g, ''), 'hex'),
    ],
  ])('encodes the %s byte for byte', (_name, encode, expected) => {
    const frame = encode();
    expect(frame.toString('hex')).toBe(expected.toString('hex'));
  });

  it.each([
    ['no headers, empty payload', [] as Array<[string, string]>, ''],
    [
      'unicode header value and payload',
      [
        [':event-type', 'chunk'],
        ['x-é', 'ünïcödé'],
      ] as Array<[string, string]>,
      '{"t":"日本語"}',
    ],
    ['a 20 kB payload', [[':message-type', 'event']] as Array<[string, string]>, 'x'.repeat(20_000)],
  ])('is decoded by the SDK codec with its CRC checks: %s', (_name, headers, payload) => {
    const frame = encodeMessage(headers, Buffer.from(payload, 'utf8'));
    const decoded = new EventStreamCodec(utf8.toUtf8, utf8.fromUtf8).decode(frame);
    expect(Buffer.from(decoded.body).toString('utf8')).toBe(payload);
    expect(Object.fromEntries(Object.entries(decoded.headers).map(([k, v]) => [k, v.value]))).toEqual(
      Object.fromEntries(headers),
    );
    expect(Object.values(decoded.headers).every((h) => h.type === 'string')).toBe(true);
  });

  it('produces frames whose corruption the SDK codec notices', () => {
    const frame = eventMessage('messageStart', { role: 'assistant' });
    const codec = new EventStreamCodec(utf8.toUtf8, utf8.fromUtf8);
    for (const at of [2, 9, 30, frame.length - 1]) {
      const broken = Buffer.from(frame);
      broken[at] = (broken[at] ?? 0) ^ 0xff;
      expect(() => codec.decode(broken), `byte ${at}`).toThrow();
    }
  });

  it('orders headers as Bedrock does and decodes with an independent decoder', () => {
    const [event] = decodeFrames(eventMessage('chunk', { bytes: 'e30=' }));
    expect(Object.keys(event?.headers ?? {})).toEqual([':event-type', ':content-type', ':message-type']);
    const [exception] = decodeFrames(exceptionMessage('modelStreamErrorException', { message: 'm' }));
    expect(exception?.headers).toEqual({
      ':exception-type': 'modelStreamErrorException',
      ':content-type': 'application/json',
      ':message-type': 'exception',
    });
  });

  it.each([
    [0, 'a'],
    [0.5, 'abcdefghijklmnopqrstuvwxyzABCDEF'],
    [0.9999, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'],
  ])('pads with an alphabet prefix: draw %d gives %s', (draw, expected) => {
    expect(padding(draw)).toBe(expected);
  });

  it('refuses a header value longer than the format allows', () => {
    expect(() => encodeMessage([['x', 'y'.repeat(40_000)]], Buffer.alloc(0))).toThrow(RangeError);
  });
});
