/**
 * Issue 9 through the built CLI (npm run build first), against the emulator or a throwaway local
 * server over real sockets: items 5, 12, 18 and the CLI half of 19.
 */
import { existsSync, linkSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
const env = () => ({ ...used.env(), AWS_EC2_METADATA_DISABLED: 'true' });

describe('several inputs run one after another (item 12)', () => {
  it('each to its own results file; the exit code is the worst', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 't1.csv'), 'prompt\nhello\nthere\n');
    writeFileSync(join(dir, 't2.jsonl'), '{"prompt":"world"}\n');
    writeFileSync(join(dir, 'bad.csv'), 'text\nno prompt column\n');
    const result = await runCli(['t1.csv', 'bad.csv', 't2.jsonl'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('input 1 of 3: t1.csv');
    expect(result.stderr).toContain('bad.csv:1: no "prompt" column');
    expect(readFileSync(join(dir, 't1.results.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readJsonl(join(dir, 't2.results.jsonl'))).toMatchObject([{ status: 'ok' }]);
    expect(used.emulator.stats().requests).toBe(3);
  });

  it('all fine is exit 0; -o with several inputs is refused before anything runs', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'a.csv'), 'prompt\nx\n');
    writeFileSync(join(dir, 'b.csv'), 'prompt\ny\n');
    expect((await runCli(['a.csv', 'b.csv', '-q'], { cwd: dir, env: env() })).code).toBe(0);
    const refused = await runCli(['a.csv', 'b.csv', '-o', 'out.csv'], { cwd: dir, env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--output names one results file, but 2 inputs were given');
    expect(existsSync(join(dir, 'out.csv'))).toBe(false);
  });
});

describe('report -o never overwrites what it reads (item 5)', () => {
  async function resultsDir(): Promise<string> {
    const dir = workdir();
    writeFileSync(join(dir, 'z.csv'), 'prompt\nx\ny\n');
    expect((await runCli(['z.csv', '-q'], { cwd: dir, env: env() })).code).toBe(0);
    return dir;
  }

  it.each([
    ['the same path', (_dir: string) => 'z.results.csv'],
    [
      'a symlink to it',
      (dir: string) => {
        symlinkSync(join(dir, 'z.results.csv'), join(dir, 'link.csv'));
        return 'link.csv';
      },
    ],
    [
      'a hard link to it',
      (dir: string) => {
        linkSync(join(dir, 'z.results.csv'), join(dir, 'hard.md'));
        return 'hard.md';
      },
    ],
  ])('refuses %s, and the paid rows stay', async (_what, target) => {
    const dir = await resultsDir();
    const before = readFileSync(join(dir, 'z.results.csv'), 'utf8');
    const result = await runCli(['report', 'z.results.csv', '-o', target(dir)], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a file this report reads');
    expect(readFileSync(join(dir, 'z.results.csv'), 'utf8')).toBe(before);
  });

  it('refuses another results file, and writes a new file or an old report', async () => {
    const dir = await resultsDir();
    writeFileSync(join(dir, 'w.csv'), 'prompt\nq\n');
    expect((await runCli(['w.csv', '-q'], { cwd: dir, env: env() })).code).toBe(0);
    const other = await runCli(['report', 'z.results.csv', '-o', 'w.results.csv'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is a run-batch results file');
    writeFileSync(join(dir, 'old-report.md'), 'an old report');
    for (const out of ['new-report.md', 'old-report.md']) {
      const ok = await runCli(['report', 'z.results.csv', '--format', 'md', '-o', out], { cwd: dir });
      expect(ok.code, ok.stderr).toBe(0);
      expect(readFileSync(join(dir, out), 'utf8')).toContain('# run-batch report');
    }
  });
});

describe('report reads only results files (item 19)', () => {
  it('a 0-byte file is refused with a clear message', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'empty.results.csv'), '');
    const result = await runCli(['report', 'empty.results.csv'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('empty.results.csv: is empty (0 bytes), not a results file');
  });

  it('an unknown status is named by line, not counted as neither ok nor error', async () => {
    const dir = workdir();
    const line = (status: string) =>
      JSON.stringify({ status, model: 'm', input_tokens: 1, output_tokens: 1, cost_usd: 0.001 });
    writeFileSync(join(dir, 'r.results.jsonl'), `${line('ok')}\n${line('done')}\n`);
    const result = await runCli(['report', 'r.results.jsonl'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('r.results.jsonl:2: "status" must be "ok" or "error", got "done"');
  });

  it('the md report escapes HTML in model ids', async () => {
    const dir = workdir();
    const row = {
      status: 'ok',
      model: '<img src=x onerror=alert(1)>|x',
      input_tokens: 1,
      output_tokens: 1,
      cost_usd: '',
    };
    writeFileSync(join(dir, 'r.results.jsonl'), `${JSON.stringify(row)}\n`);
    const result = await runCli(['report', 'r.results.jsonl', '--format', 'md'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('<img');
    expect(result.stdout).toContain('&lt;img src=x onerror=alert(1)&gt;\\|x');
  });
});

describe('emulator --host (item 18)', () => {
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

describe('secrets stay out of results and messages (item 19)', () => {
  it('a credential given as -m is refused and never written', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'prompt\nx\n');
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const result = await runCli(['in.csv', '-m', secret], {
      cwd: dir,
      env: { ...env(), AWS_SECRET_ACCESS_KEY: secret },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--model must be a model id');
    expect(result.stderr).not.toContain(secret);
    expect(existsSync(join(dir, 'in.results.csv'))).toBe(false);
  });

  it('the password in --endpoint is never echoed', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'prompt\nx\n');
    // Port 9 on loopback: nothing listens, so the calls fail and the error names the endpoint.
    const result = await runCli(
      [
        'in.csv',
        '--endpoint',
        'http://alice:hunter2secret@127.0.0.1:9',
        '--max-attempts',
        '1',
        '--max-errors',
        '1',
      ],
      { cwd: dir, env: { ...FAKE_AWS_ENV, AWS_EC2_METADATA_DISABLED: 'true' } },
    );
    expect(result.code).not.toBe(0);
    const written = `${result.stderr}${readFileSync(join(dir, 'in.results.csv'), 'utf8')}${readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8')}`;
    expect(written).not.toContain('hunter2secret');
    const bad = await runCli(['in.csv', '--endpoint', 'ftp://alice:hunter2secret@127.0.0.1:9'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--endpoint must be an http:// or https:// URL');
    expect(bad.stderr).not.toContain('hunter2secret');
  });
});

describe('an endpoint that answers with HTML (item 19)', () => {
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

describe('a Model column (item 19)', () => {
  it('gets a warning, and the job-wide model is used', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.csv'), 'prompt,Model\nx,us.amazon.nova-lite-v1:0\n');
    const result = await runCli(['in.csv'], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('column "Model" is not the per-row "model" override');
    expect(statSync(join(dir, 'in.results.csv')).size).toBeGreaterThan(0);
  });
});

describe('user mistakes through the CLI are exit 2 with a message (items 17, 19)', () => {
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
