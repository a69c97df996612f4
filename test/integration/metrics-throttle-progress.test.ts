/**
 * A throttle moves the progress count when it happens, not when its row finishes at last: through
 * runBatch's onProgress (every throttle is a progress call, counted) and through the CLI's JSON
 * log (a progress line shows the throttle while the row is still waiting for its answer).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../src/job/resolve.js';
import { type Progress, runBatch } from '../../src/run/run-batch.js';
import { runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();

function input(dir: string, prompts: string[]): string {
  const lines = prompts.map((prompt, i) => JSON.stringify({ id: `r${i + 1}`, prompt }));
  writeFileSync(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  return join(dir, 'in.jsonl');
}

describe('throttles in the progress', () => {
  it('counts each throttle as it happens (runBatch onProgress)', async () => {
    const dir = workdir();
    const spec = resolveSpec(
      { input: input(dir, ['Ticket 1 [[emulator:throttle=3]]']), 'backoff-base': '5', reuse: false },
      { cwd: dir, env: {} },
    );
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: used.emulator.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const seen: Progress[] = [];
    const summary = await runBatch(spec, {
      client,
      cwd: dir,
      env: {},
      onProgress: (p) => seen.push(p),
    });
    expect(summary.throttles).toBe(3);
    // Three throttles, each heard before the row finished, then the row.
    expect(seen.map((p) => [p.throttles, p.done])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [3, 1],
    ]);
  });

  it('shows a throttle in the JSON log before the row finishes', async () => {
    const dir = workdir();
    // Throttled at once, then answered 1.5 s later: progress lines every 100 ms fall in between.
    const file = input(dir, ['Ticket 1 [[emulator:throttle=1]] [[emulator:latency=1500]]']);
    const run = await runCli(
      [file, '-o', join(dir, 'out.jsonl'), '--log-format', 'json', '--backoff-base', '5'],
      {
        cwd: dir,
        env: { ...used.env(), RUN_BATCH_PROGRESS_INTERVAL_MS: '100' },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const progress = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; throttles?: number; finished?: number })
      .filter((event) => event.type === 'progress');
    expect(progress.some((p) => p.throttles === 1 && p.finished === 0)).toBe(true);
  });
});
