/**
 * `--api invoke` on the Mistral models that take the chat-completion body (Mistral Large 24.07,
 * Mistral Large 3 and every Ministral 3 model): which body a model takes is the client catalogue's
 * data (model-facts.ts `mistralBody`), and the emulator's own table says the same (checked by
 * test/unit/catalogues-agree.test.ts). Each answers every row of the prompts fixture, streamed or
 * not; a text body sent to them would fail every row.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_FACTS } from '../../src/bedrock/model-facts.js';
import { readJsonl, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator({}, 'stats');

const CHAT = Object.entries(MODEL_FACTS)
  .filter(([, facts]) => facts.mistralBody === 'chat')
  .map(([id]) => id);

describe('--api invoke on the chat-body Mistral models', () => {
  it('are the ones the issue named, and more', () => {
    expect(CHAT).toEqual(
      expect.arrayContaining([
        'mistral.mistral-large-2407-v1:0',
        'mistral.mistral-large-3-675b-instruct',
        'mistral.ministral-3-3b-instruct',
        'mistral.ministral-3-8b-instruct',
        'mistral.ministral-3-14b-instruct',
      ]),
    );
  });

  it.each(CHAT.flatMap((model) => [[model, false] as const, [model, true] as const]))(
    '%s (stream %s) answers every row',
    async (model, stream) => {
      const dir = workdir('prompts.csv');
      const args = ['prompts.csv', '--api', 'invoke', '-m', model, '-o', 'out.jsonl', '-c', '8'];
      const result = await runCli([...args, ...(stream ? ['--stream'] : [])], { cwd: dir, env: used.env() });
      expect(result.code, result.stderr).toBe(0);
      const rows = readJsonl(join(dir, 'out.jsonl'));
      expect(rows).toHaveLength(25);
      expect(rows.filter((r) => r.status !== 'ok').map((r) => r.error_message)).toEqual([]);
      const op = stream ? 'invoke-with-response-stream' : 'invoke';
      expect(used.emulator.stats().byOperation[op]).toMatchObject({ ok: 25 });
    },
  );
});
