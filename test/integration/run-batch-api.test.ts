/**
 * runBatch called in-process, the way a program embeds run-batch: an injected client (here one
 * that counts what it sends), progress after every row, and the summary returned. Also the
 * input that changes between the check pass and the run: the run stops (exit 3), never reports
 * rows it did not send as done.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../src/job/resolve.js';
import type { JobSpec } from '../../src/job/spec.js';
import { type Progress, runBatch } from '../../src/run/run-batch.js';
import { readJsonl, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

function countingClient(endpoint = used.emulator.url): { client: BedrockRuntimeClient; sent: () => number } {
  let sent = 0;
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => (args) => {
      sent++;
      return next(args);
    },
    { step: 'build' },
  );
  return { client, sent: () => sent };
}

function input(dir: string, rows: number, word = 'Question'): string {
  const lines = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({ id: `r${i + 1}`, prompt: `${word} ${i + 1}` }),
  );
  writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  return join(dir, 'in.jsonl');
}

/**
 * A loopback proxy in front of the emulator that calls `onFirstBytes` when the first request's
 * bytes reach it: the wire as the server sees it.
 */
async function wireWatch(onFirstBytes: () => void): Promise<{ url: string; close: () => void }> {
  const target = new URL(used.emulator.url);
  let seen = false;
  const server = createServer((socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    socket.on('data', (chunk) => {
      if (!seen) {
        seen = true;
        onFirstBytes();
      }
      upstream.write(chunk);
    });
    upstream.pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/**
 * Runs the job and calls `swap` between the check pass and the run: a results file with a
 * half-written last row has its repair warning come right there.
 */
async function runSwapping(spec: JobSpec, dir: string, output: string, swap: () => void) {
  writeFileSync(output, '{"id":"r1","sta');
  const { client } = countingClient();
  try {
    return await runBatch(spec, {
      client,
      cwd: dir,
      env: {},
      onWarning: (message) => {
        if (message.includes('half-written')) swap();
      },
    });
  } finally {
    client.destroy();
  }
}

describe('runBatch in-process', () => {
  it('sends through the injected client, reports progress per row, returns the summary', async () => {
    const dir = workdir();
    const spec = resolveSpec({ input: input(dir, 12), concurrency: '3' }, { cwd: dir, env: {} });
    const { client, sent } = countingClient();
    const progress: Progress[] = [];
    const summary = await runBatch(spec, { client, cwd: dir, env: {}, onProgress: (p) => progress.push(p) });
    expect(summary.exitCode).toBe(0);
    expect(summary.rows).toMatchObject({ total: 12, ok: 12, error: 0, skipped: 0, notRun: 0 });
    expect(sent()).toBe(12);
    expect(used.emulator.stats().requests).toBe(12);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(readJsonl(join(dir, 'in.results.jsonl'))).toHaveLength(12);
    client.destroy();
  });

  it('puts the first call on the wire before it starts the rest (no lockstep start)', async () => {
    // Calls started together advance through the SDK's promise steps in lockstep: without a turn
    // of the event loop between starts, no request leaves until every slot's call has been built.
    const dir = workdir();
    const spec = resolveSpec({ input: input(dir, 40), concurrency: '20' }, { cwd: dir, env: {} });
    let builtAtFirstBytes = -1;
    let counting: () => number = () => 0;
    const wire = await wireWatch(() => {
      builtAtFirstBytes = counting();
    });
    const { client, sent } = countingClient(wire.url);
    counting = sent;
    const summary = await runBatch(spec, { client, cwd: dir, env: {} });
    wire.close();
    client.destroy();
    expect(summary.exitCode).toBe(0);
    expect(sent()).toBe(40);
    expect(builtAtFirstBytes).toBeGreaterThanOrEqual(1);
    expect(builtAtFirstBytes).toBeLessThan(10);
  });

  it('a CSV input edited after it was checked stops the run at the edited row; only checked rows are sent', async () => {
    const dir = workdir();
    const rows = (third: string) =>
      `id,prompt\n${Array.from({ length: 20 }, (_, i) => `r${i + 1},${i === 2 ? third : `Question ${i + 1}`}`).join('\n')}\n`;
    writeFileSync(join(dir, 'in.csv'), rows('Question 3'));
    const output = join(dir, 'in.results.jsonl');
    const spec = resolveSpec({ input: join(dir, 'in.csv'), output }, { cwd: dir, env: {} });
    const summary = await runSwapping(spec, dir, output, () =>
      writeFileSync(join(dir, 'in.csv'), rows('Edited 3')),
    );
    expect(summary.exitCode).toBe(3);
    expect(summary.stopReason).toMatch(/in\.csv:4: the input changed while the run was reading it/);
    expect(summary.stop).toMatchObject({ reason: 'input-changed', kind: 'soft' });
    // Rows 1 and 2 are the rows that were checked; they may have gone before row 3 was read.
    expect(used.emulator.stats().requests).toBeLessThanOrEqual(2);
    expect(readFileSync(output, 'utf8')).not.toContain('Edited');
  });

  it('an input replaced after it was checked stops the run with exit 3, naming it', async () => {
    const dir = workdir();
    const path = input(dir, 20);
    const spec = resolveSpec({ input: path }, { cwd: dir, env: {} });
    const summary = await runSwapping(spec, dir, join(dir, 'in.results.jsonl'), () => input(dir, 5, 'Other'));
    expect(summary.exitCode).toBe(3);
    expect(summary.stopReason).toMatch(/in\.jsonl:1: the input changed while the run was reading it/);
    expect(summary.rows.notRun).toBe(20);
    expect(used.emulator.stats().requests).toBe(0);
  });
});
