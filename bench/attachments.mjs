// Benchmark scenario: 2,000 rows with a 512 KB image each, against the same job without
// attachments. Attachments are read when their row is sent, so peak RSS should stay within 1.25x
// of the text-only run; rows/s are reported beside it.
//
//   npm run build && node bench/attachments.mjs          # on its own
//   import { attachments } from './attachments.mjs'       # from bench/run.mjs: await attachments(report)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { FAKE_ENV, OUT, runBatch, startEmulator } from './lib.mjs';

const ROWS = 2000;
const IMAGE_BYTES = 512 * 1024;
/** Distinct files, cycled over the rows: each row still reads its own copy from disk when sent. */
const FILES = 20;
// The default concurrency: what a user running this job gets.
const CONCURRENCY = 8;

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(body));
  return Buffer.concat([head, body, tail]);
}

/** A valid RGB PNG of about `bytes` bytes: noise, stored without compression so its size is known. */
function noisePng(bytes, seed) {
  const width = 512;
  const height = Math.floor(bytes / (width * 3 + 1));
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let x = seed * 2654435761;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = i % (width * 3 + 1) === 0 ? 0 : x >>> 24;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function makeInputs() {
  const dir = join(OUT, 'attachments');
  mkdirSync(join(dir, 'images'), { recursive: true });
  for (let i = 0; i < FILES; i++)
    writeFileSync(join(dir, 'images', `shot-${i}.png`), noisePng(IMAGE_BYTES, i + 1));
  const lines = ['id,prompt,image'];
  for (let i = 1; i <= ROWS; i++)
    lines.push(
      `S${i},"Ticket ${i}: the customer sent this screenshot of an error. What does it show?",images/shot-${i % FILES}.png`,
    );
  const input = join(dir, 'screens.csv');
  writeFileSync(input, `${lines.join('\n')}\n`);
  return input;
}

export async function attachments(report) {
  const input = makeInputs();
  const emulator = await startEmulator([]);
  const env = { ...FAKE_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url };
  const flags = ['-c', String(CONCURRENCY), '--fresh', '-q'];
  const text = await runBatch(input, flags, env);
  await emulator.reset();
  const files = await runBatch(input, [...flags, '--attach', 'image'], env);
  const stats = await emulator.stats();
  await emulator.stop();
  if (text.code !== 0 || files.code !== 0)
    throw new Error(`a run failed: ${text.code} / ${files.code}\n${text.stderr}\n${files.stderr}`);
  const ratio = files.rssKb / text.rssKb;
  report(`attachments (${ROWS.toLocaleString('en')} rows, a 512 KB image each, concurrency ${CONCURRENCY})`, {
    'peak RSS MB, text only': text.rssKb / 1024,
    'peak RSS MB, with images': files.rssKb / 1024,
    'RSS with / without (target <= 1.25)': ratio,
    'rows/s, text only': ROWS / (text.ms / 1000),
    'rows/s, with images': ROWS / (files.ms / 1000),
    'images the emulator received': stats.media?.images ?? 0,
    'within target': ratio <= 1.25 ? 'yes' : 'NO',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const round = (v) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000);
  await attachments((scenario, figures) => {
    console.log(`\n## ${scenario}`);
    for (const [k, v] of Object.entries(figures))
      console.log(`  ${k.padEnd(38)} ${typeof v === 'number' ? round(v) : v}`);
  });
}
