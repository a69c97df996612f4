/**
 * `--otel` through the built CLI on the emulator, to an OTLP/HTTP collector stand-in (a node http
 * server on 127.0.0.1 taking the exporter's JSON): one span per row with the GenAI attributes, one
 * `throttled` event per throttle, and nothing at all without the flag, not even the SDK loaded
 * (a probe preloaded into the child lists the OpenTelemetry modules it required).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
afterEach(killStartedClis);

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpAttr {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  name: string;
  attributes?: OtlpAttr[];
  events?: Array<{ name: string; attributes?: OtlpAttr[] }>;
}

let collector: Server;
let endpoint = '';
const posts: Array<{ path: string; type: string; body: string }> = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += String(chunk)));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', type: String(req.headers['content-type']), body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(() => collector.close());

function spansIn(): Array<{ service: string; span: OtlpSpan }> {
  return posts.flatMap((post) => {
    const data = JSON.parse(post.body) as {
      resourceSpans: Array<{
        resource: { attributes: OtlpAttr[] };
        scopeSpans: Array<{ spans: OtlpSpan[] }>;
      }>;
    };
    return data.resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((span) => ({
          service: String(plain(attr(rs.resource.attributes, 'service.name'))),
          span,
        })),
      ),
    );
  });
}

function attr(attributes: OtlpAttr[] | undefined, key: string): OtlpValue | undefined {
  return attributes?.find((a) => a.key === key)?.value;
}

function plain(value: OtlpValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

/** Lists, at exit, the OpenTelemetry modules the process required. */
function probe(dir: string): { env: Record<string, string>; loaded: () => string[] } {
  const out = join(dir, 'loaded.json');
  const file = join(dir, 'probe.cjs');
  writeFileSync(
    file,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache).filter((p) => p.includes('@opentelemetry')))));\n`,
  );
  return { env: { NODE_OPTIONS: `--require ${file}` }, loaded: () => JSON.parse(readFileSync(out, 'utf8')) };
}

function input(dir: string): string {
  const prompts = [
    'Ticket 1 [[emulator:throttle=2]]',
    'Ticket 2 [[emulator:throttle=1]]',
    'Ticket 3 [[emulator:error=ValidationException]]',
    'Ticket 4',
    'Ticket 5',
  ];
  const lines = prompts.map((prompt, i) => JSON.stringify({ id: `r${i + 1}`, prompt }));
  writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  return join(dir, 'in.jsonl');
}

describe('--otel', () => {
  it('sends one span per row with the GenAI attributes and one event per throttle', async () => {
    posts.length = 0;
    const dir = workdir();
    const watch = probe(dir);
    const out = join(dir, 'out.jsonl');
    const run = await runCli([input(dir), '-o', out, '--otel', '--backoff-base', '5', '--no-reuse'], {
      cwd: dir,
      env: {
        ...used.env(),
        ...watch.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_SERVICE_NAME: 'nightly-tickets',
      },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(posts.every((p) => p.path === '/v1/traces' && p.type.startsWith('application/json'))).toBe(true);
    const spans = spansIn();
    const records = readJsonl(out);
    const summary = JSON.parse(readFileSync(`${out}.summary.json`, 'utf8'));
    expect(spans).toHaveLength(records.length);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['nightly-tickets']));
    const byId = new Map(spans.map(({ span }) => [plain(attr(span.attributes, 'run_batch.row.id')), span]));
    expect([...byId.keys()].sort()).toEqual(records.map((r) => r.id).sort());
    for (const record of records) {
      const span = byId.get(record.id) as OtlpSpan;
      const a = (key: string) => plain(attr(span.attributes, key));
      expect(a('gen_ai.system')).toBe('aws.bedrock');
      expect(a('gen_ai.provider.name')).toBe('aws.bedrock');
      expect(a('gen_ai.operation.name')).toBe('chat');
      expect(a('gen_ai.request.model')).toBe(record.model);
      expect(span.name).toBe(`chat ${record.model}`);
      if (record.status === 'ok') {
        expect(a('gen_ai.usage.input_tokens')).toBe(record.input_tokens);
        expect(a('gen_ai.usage.output_tokens')).toBe(record.output_tokens);
        expect(a('gen_ai.response.finish_reasons')).toEqual([record.stop_reason]);
      } else expect(a('error.type')).toBe(record.error_code);
    }
    const events = spans.flatMap(({ span }) => span.events ?? []);
    expect(events.filter((e) => e.name === 'throttled')).toHaveLength(summary.throttles);
    expect(summary.throttles).toBe(3);
    expect(events.filter((e) => e.name === 'retried')).toHaveLength(summary.attempts - records.length);
    expect((byId.get('r1')?.events ?? []).map((e) => e.name)).toEqual([
      'throttled',
      'retried',
      'throttled',
      'retried',
    ]);
    expect(watch.loaded().length).toBeGreaterThan(0); // the probe sees the SDK when it is loaded
  });

  it('sends nothing and loads no OpenTelemetry module without the flag', async () => {
    posts.length = 0;
    const dir = workdir();
    const watch = probe(dir);
    const run = await runCli([input(dir), '-o', join(dir, 'out.jsonl'), '--backoff-base', '5'], {
      cwd: dir,
      env: { ...used.env(), ...watch.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(posts).toHaveLength(0);
    expect(watch.loaded()).toEqual([]);
  });
});
