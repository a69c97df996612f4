/**
 * `show-request` prints the request a run sends: for one row, the body it prints equals the body a
 * real run of that row puts on the wire (caught by a proxy in front of the emulator), on Converse,
 * InvokeModel and with --json-schema, attachments included (their bytes summarised).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOWN_RUN_ID } from '../../src/commands/show-request.js';
import { FIXTURES, ROOT, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const seen: Array<{ method: string; url: string; body: string }> = [];
let proxy: Server;
let proxyUrl = '';

beforeAll(async () => {
  // Every request is kept as it arrived, then passed to the emulator and its answer passed back.
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: body.toString('utf8') });
      const target = new URL(used.emulator.url);
      const forward = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => proxy.close(() => done())));

function input(): string {
  const dir = workdir();
  cpSync(join(FIXTURES, 'attachments'), join(dir, 'attachments'), { recursive: true });
  writeFileSync(
    join(dir, 'in.csv'),
    'id,prompt,files\nr1,"First ticket",\nr2,"The login page shows this error",attachments/login-error.png\nr3,"Third",\n',
  );
  return dir;
}

/** The printed request: its first line and its body (from the first line that opens it). */
function printed(stdout: string): { line: string; body: unknown } {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('{'));
  return { line: lines[0] as string, body: JSON.parse(lines.slice(start).join('\n')) };
}

/** The body the proxy saw, with the PNG's base64 replaced as show-request summarises it (worked out here). */
function sent(dir: string): unknown {
  const png = readFileSync(join(dir, 'attachments/login-error.png'));
  const label = `<${png.length.toLocaleString('en-US')} bytes of image/png>`;
  const last = seen.at(-1);
  if (!last) throw new Error('nothing reached the proxy');
  return JSON.parse(last.body.split(png.toString('base64')).join(label));
}

const cases: Array<[string, string[], RegExp]> = [
  ['Converse', ['--system', 'Be brief.', '--temperature', '0.2'], /^POST \/model\/.+\/converse$/],
  ['--api invoke', ['--api', 'invoke', '--system', 'Be brief.'], /^POST \/model\/.+\/invoke$/],
  [
    '--json-schema',
    ['--json-schema', join(ROOT, 'jobs/ticket-triage.schema.json')],
    /^POST \/model\/.+\/converse$/,
  ],
  [
    '--json-schema --api invoke',
    ['--json-schema', join(ROOT, 'jobs/ticket-triage.schema.json'), '--api', 'invoke'],
    /^POST \/model\/.+\/invoke$/,
  ],
];

describe('show-request', () => {
  it.each(cases)('%s: prints the body a run of that row sends', async (_name, args, line) => {
    const dir = input();
    const common = ['in.csv', '--attach', 'files', ...args];
    const shown = await runCli(['show-request', ...common, '--row', 'r2'], { cwd: dir, env: used.env() });
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    const { line: first, body } = printed(shown.stdout);
    expect(first).toMatch(line);
    expect(JSON.stringify(body)).toContain('bytes of image/png>');
    const env = { ...used.env(), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: proxyUrl };
    const run = await runCli([...common, '--no-ledger', '--limit', '2', '-o', 'out.csv'], { cwd: dir, env });
    expect(run.code).toBe(0);
    const r2 = seen.at(-1);
    expect(`${r2?.method} ${decodeURIComponent(r2?.url ?? '')}`).toBe(first);
    // The request metadata's run_id is each run's own: show-request shows a stand-in for it.
    const received = sent(dir) as { requestMetadata?: Record<string, string> };
    if (received.requestMetadata) received.requestMetadata.run_id = SHOWN_RUN_ID;
    expect(body).toEqual(received);
  });

  it('an unknown row id is exit 2, naming the id and the input', async () => {
    const dir = input();
    const result = await runCli(['show-request', 'in.csv', '--row', 'r9'], { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('in.csv: no row with id "r9"');
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('without --row is exit 2', async () => {
    const result = await runCli(['show-request', 'in.csv'], { cwd: input(), env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--row');
  });
});
