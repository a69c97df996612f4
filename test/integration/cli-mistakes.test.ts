/**
 * User mistakes through the built CLI, against the emulator or a throwaway local server over real
 * sockets: each is exit 2 (or a recorded row failure) with a message that says what to do, never
 * an internal error or a stack trace: a bad emulator --host, an endpoint that answers with HTML, a
 * `Model` column, `-`, Mustache mistakes.
 */
import { statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const env = () => ({ ...used.env(), AWS_EC2_METADATA_DISABLED: 'true' });

describe('emulator --host', () => {
  it.each(['999.1.1.1', 'no-such-host.invalid'])(
    '%s is exit 2 with a message, not an internal error',
    async (host) => {
      const result = await runCli(['emulator', '--host', host, '--port', '0']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--host ${host}: no such address on this machine`);
      expect(result.stderr).not.toContain('internal error');
    },
  );
});

describe('an endpoint that answers with HTML', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is recorded with a plain message, not SDK internals', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.jsonl'), '{"prompt":"x"}\n');
    const result = await runCli(['in.jsonl', '--endpoint', url], {
      cwd: dir,
      env: { ...FAKE_AWS_ENV, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect(result.code).toBe(1);
    const [row] = readJsonl(join(dir, 'in.results.jsonl'));
    expect(row).toMatchObject({ status: 'error', error_code: 'UnexpectedResponse' });
    expect(row?.error_message).toBe(
      'the endpoint answered with an HTML page, HTTP 404, not Bedrock: check --endpoint / AWS_ENDPOINT_URL_BEDROCK_RUNTIME, or a proxy in between',
    );
    expect(String(row?.error_message)).not.toContain('$response');
  });
});

describe('a Model column', () => {
  it('gets a warning, and the job-wide model is used', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'prompt,Model\nx,us.amazon.nova-lite-v1:0\n');
    const result = await runCli(['in.csv'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('column "Model" is not the per-row "model" override');
    expect(statSync(join(dir, 'in.results.csv')).size).toBeGreaterThan(0);
  });
});

describe('user mistakes through the CLI are exit 2 with a message', () => {
  it('run-batch - talks about stdin, not an --input option', async () => {
    const result = await runCli(['-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('reading prompts from stdin ("-") needs a path: give /dev/stdin');
    expect(result.stderr).not.toContain('--input');
  });

  it('a Mustache syntax error names the template, with no stack trace and nothing sent', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'name\nAnn\n');
    const result = await runCli(['in.csv', '--template', 'Hi {{name}'], { cwd: dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--template "Hi {{name}": unclosed tag');
    expect(result.stderr).not.toContain('    at ');
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('a section over a missing column is refused like a variable', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'text\nhello\n');
    const result = await runCli(['in.csv', '--template', '{{#urgent}}URGENT {{/urgent}}{{text}}'], {
      cwd: dir,
      env: env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('template variable "urgent" is not a column');
    expect(used.emulator.stats().requests).toBe(0);
  });
});
