/**
 * runBatch called in-process, the way a program embeds run-batch: an injected client (here one
 * that counts what it sends), progress after every row, and the summary returned. Also the
 * input that changes between the check pass and the run: the run stops (exit 3), never reports
 * rows it did not send as done.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../src/job/resolve.js';
import { type Progress, runBatch } from '../../src/run/run-batch.js';
import { readJsonl, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

function countingClient(): { client: BedrockRuntimeClient; sent: () => number } {
  let sent = 0;
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: used.emulator.url,
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

  it('an input replaced after it was checked stops the run with exit 3, naming it', async () => {
    const dir = workdir();
    const path = input(dir, 20);
    const spec = resolveSpec({ input: path }, { cwd: dir, env: {} });
    // A results file with a half-written last row: its repair warning comes between the check pass
    // and the run, which is where the input is swapped.
    writeFileSync(join(dir, 'in.results.jsonl'), '{"id":"r1","sta');
    const { client } = countingClient();
    const summary = await runBatch(spec, {
      client,
      cwd: dir,
      env: {},
      onWarning: (message) => {
        if (message.includes('half-written')) input(dir, 5, 'Other');
      },
    });
    expect(summary.exitCode).toBe(3);
    expect(summary.stopReason).toMatch(/in\.jsonl:1: the input changed while the run was reading it/);
    expect(summary.rows.notRun).toBe(20);
    expect(used.emulator.stats().requests).toBe(0);
    client.destroy();
  });
});
