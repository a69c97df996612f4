/**
 * SIGKILL at three moments of a batch run in a child process (state saved but maybe nothing sent,
 * the job just created, the job's ARN saved), then the same rows again in this process: the
 * emulator's control plane (GET /__emulator/stats) saw exactly one job, and every row came back once,
 * ok. Runs the engine from dist/ (build first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statePath } from '../../src/engines/batch/index.js';
import { runEngine, tempOutput, testSettings } from '../helpers/batch-engine.js';
import { batchRows } from '../helpers/batch-rows.js';
import { useEmulator } from '../helpers/emulator.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'kill-bucket';
const used = useEmulator({ batchStepMs: 30, s3Buckets: [BUCKET] });
const CHILD = join(import.meta.dirname, '../helpers/batch-child.mjs');

async function statsJobs(): Promise<number> {
  const response = await fetch(`${used.emulator.url}/__emulator/stats`);
  return ((await response.json()) as { batch: { jobs: number } }).batch.jobs;
}

async function until(check: () => boolean | Promise<boolean>, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    if (child.exitCode !== null)
      throw new Error(`the child ended (${child.exitCode}) before the moment came`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('the moment to kill never came');
}

const savedArn = (path: string) => existsSync(path) && readFileSync(path, 'utf8').includes('"arn"');

describe.each([
  ['the state file is first written', (path: string) => existsSync(path)],
  ['the control plane has the job', async () => (await statsJobs()) === 1],
  ['the job ARN is saved', savedArn],
])('SIGKILL once %s', (_moment, ready: (path: string) => boolean | Promise<boolean>) => {
  it('a rerun re-attaches: one job, every row once and ok', async () => {
    const rows = batchRows(150);
    const output = tempOutput();
    const settings = testSettings(output, BUCKET);
    const endpoints = { bedrock: used.emulator.url, s3: used.emulator.url };
    const args = join(dirname(output), 'child.json');
    writeFileSync(args, JSON.stringify({ rows, settings, endpoints }));
    const child = spawn(process.execPath, [CHILD, args], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await until(() => ready(statePath(output)), child);
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
    expect(child.signalCode).toBe('SIGKILL');
    const result = await runEngine(rows, settings, endpoints);
    expect(result.pending).toBe(0);
    const indexes = result.finished.map((f) => f.row.index).sort((a, b) => a - b);
    expect(indexes).toEqual(rows.map((r) => r.index));
    expect(result.finished.every((f) => f.outcome.kind === 'ok')).toBe(true);
    expect(await statsJobs()).toBe(1);
  });
});
