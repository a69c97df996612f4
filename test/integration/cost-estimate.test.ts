/**
 * `estimate` with --cache-system through the real CLI: the cost with and without the prompt cache
 * side by side (one write of the shared system prompt, then reads), checked against figures worked
 * out by hand from the shipped prices and the local estimate (4 characters per token).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';

describe('estimate --cache-system', () => {
  it('shows the cached and uncached cost side by side', async () => {
    const dir = workdir();
    // 20,000 characters: 5,000 tokens by the local estimate, above Haiku 4.5's 4,096 minimum.
    writeFileSync(join(dir, 'system.txt'), 'x'.repeat(20_000));
    // Each prompt is 8 characters: 2 tokens; max_tokens 100.
    writeFileSync(join(dir, 'rows.csv'), 'id,prompt\n1,question\n2,question\n3,question\n4,question\n');
    const args = ['estimate', 'rows.csv', '--system', '@system.txt', '--cache-system', '--max-tokens', '100'];
    const text = await runCli(args, { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    // Uncached: 4 x 5,002 tokens x $1/1M = $0.020008; output up to 4 x 100 x $5/1M = $0.002.
    // Cached: 4 x 2 plain ($0.000008) + 5,000 written x $1.25/1M ($0.00625) + 15,000 read x
    // $0.1/1M ($0.0015) = $0.007758.
    expect(text.stdout).toContain('uncached  $0.0200 to $0.0220\n');
    expect(text.stdout).toContain(
      'cached    $0.0078 to $0.0098 (1 cache write, 3 cache reads of the system prompt)\n',
    );

    const json = JSON.parse((await runCli([...args, '--format', 'json'], { cwd: dir })).stdout);
    expect(json.cache).toEqual({
      rows: 4,
      cacheWrites: 1,
      cacheReads: 3,
      writeTokens: 5000,
      readTokens: 15_000,
      uncached: { minCostUsd: 0.020008, maxCostUsd: 0.022008 },
      cached: { minCostUsd: 0.007758, maxCostUsd: 0.009758 },
    });
  });

  it('has no cache figures without --cache-system', async () => {
    const dir = workdir('prompts.csv');
    const json = JSON.parse(
      (await runCli(['estimate', 'prompts.csv', '--format', 'json'], { cwd: dir })).stdout,
    );
    expect(json.cache).toBeUndefined();
  });
});
