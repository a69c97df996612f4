/**
 * --guardrail where GetGuardrail is denied (a role without bedrock:GetGuardrail): the check is
 * skipped with a warning, and when the runtime then refuses the guardrail the first rows' error
 * stops the run as fail-fast does (exit 3), each row tried once, never retried row by row. The
 * control plane is a port-0 server that denies GetGuardrail as Bedrock does (403,
 * AccessDeniedException); the runtime is the emulator, which refuses an unknown guardrail.
 */

import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
let server: Server;
let controlUrl: string;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'AccessDeniedException',
        'x-amzn-requestid': 'req',
      });
      res.end(
        '{"message":"User: arn:aws:iam::123456789012:user/x is not authorized to perform: bedrock:GetGuardrail"}',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  controlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('GetGuardrail denied', () => {
  it('warns, then the first rows stop the run (exit 3), each sent once', async () => {
    const dir = workdir();
    const rows = Array.from({ length: 20 }, (_, i) => `r${i + 1},Question ${i + 1}`);
    writeFileSync(join(dir, 'in.csv'), `id,prompt\n${rows.join('\n')}\n`);
    const result = await runCli(['in.csv', '--guardrail', 'nosuchguard:2', '-c', '1', '--no-ledger'], {
      cwd: dir,
      env: { ...used.env(), AWS_ENDPOINT_URL_BEDROCK: controlUrl },
    });
    expect(asked).toEqual(['GET /guardrails/nosuchguard?guardrailVersion=2']);
    expect(result.stderr).toMatch(
      /--guardrail nosuchguard:2: GetGuardrail was denied \(User: .* bedrock:GetGuardrail\)/,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/the first 5 rows all failed with ValidationException/);
    // Five rows, one attempt each: never retried row by row.
    const stats = used.emulator.stats();
    expect(stats.requests).toBe(5);
    expect(result.stderr).toMatch(/5 calls/);
  });
});
