/**
 * A model-based test (fast-check) of batch mode under operator actions, through the batch job loop
 * against the emulator: runs to two outputs (and two S3 prefixes), --no-wait then a rerun, --cancel,
 * a kill while a job's rows are handed on (the caller dies after writing some), and edits of rows.
 * The model is what each output holds (row -> the request it answered). After every action: never
 * two jobs holding the same records that did not end without answering; the emulator answered no
 * record twice for the same request; a row handed on ok is the answer to its current request. At
 * the end, a waiting run of each output finishes every row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchRow } from '../../src/engines/batch/index.js';
import { recordKey } from '../../src/engines/batch/names.js';
import { runEngine, tempOutput, testSettings } from '../helpers/batch-engine.js';
import { batchRows } from '../helpers/batch-rows.js';
import { useEmulator } from '../helpers/emulator.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'model-bucket';
const used = useEmulator({ batchStepMs: 3, batchRecordsPerStep: 60, s3Buckets: [BUCKET] });
const N = 110;

type Action =
  | { kind: 'run'; output: 0 | 1; wait: boolean }
  | { kind: 'cancel'; output: 0 | 1 }
  | { kind: 'killWhileHanding'; output: 0 | 1; after: number }
  | { kind: 'edit'; row: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('run' as const),
    output: fc.constantFrom(0 as const, 1 as const),
    wait: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cancel' as const), output: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({
    kind: fc.constant('killWhileHanding' as const),
    output: fc.constantFrom(0 as const, 1 as const),
    after: fc.integer({ min: 0, max: N }),
  }),
  fc.record({ kind: fc.constant('edit' as const), row: fc.integer({ min: 0, max: N - 1 }) }),
);

class Killed extends Error {}

async function jobSummaries(): Promise<Array<{ jobName: string; status: string }>> {
  const response = await fetch(`${used.emulator.url}/model-invocation-jobs?maxResults=1000`);
  return ((await response.json()) as { invocationJobSummaries: Array<{ jobName: string; status: string }> })
    .invocationJobSummaries;
}

describe('batch mode under operator actions (model-based)', () => {
  it('never two jobs for the same records, never a record paid twice, every row finished', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 6 }), async (actions) => {
        used.emulator.reset();
        const version = new Array<number>(N).fill(0);
        const outputs = [tempOutput('a.jsonl'), tempOutput('b.jsonl')];
        /** What each output holds: row -> the request key it answered. */
        const held: Array<Map<number, string>> = [new Map(), new Map()];
        const rows = (): BatchRow[] =>
          batchRows(N, (i) => `Question ${i + 1} v${version[i]}`).map((row) => row);
        const settings = (o: 0 | 1, extra = {}) =>
          testSettings(outputs[o] as string, BUCKET, { s3: { bucket: BUCKET, prefix: `p${o}/` }, ...extra });
        const endpoints = { bedrock: used.emulator.url, s3: used.emulator.url };
        const run = async (o: 0 | 1, extra: object, killAfter?: number) => {
          const current = rows();
          for (const row of current) row.done = held[o]?.get(row.index) === recordKey(row.request);
          let handed = 0;
          try {
            await runEngine(current, settings(o, extra), endpoints, {
              onFinished: (finished) => {
                for (const { row, outcome } of finished) {
                  if (killAfter !== undefined && handed++ >= killAfter) throw new Killed();
                  if (row.done) throw new Error(`row ${row.index} handed on though done`);
                  if (outcome.kind === 'ok') held[o]?.set(row.index, recordKey(row.request));
                  // A row no job could take would run on-demand: it is answered all the same.
                  else if (outcome.code === 'BatchBelowMinimum')
                    held[o]?.set(row.index, recordKey(row.request));
                }
              },
            });
          } catch (error) {
            if (!(error instanceof Killed)) throw error;
          }
        };
        const check = async () => {
          const live = new Map<string, number>();
          for (const job of await jobSummaries()) {
            if (['Failed', 'Stopped', 'Expired'].includes(job.status)) continue;
            const content = job.jobName.replace(/^.*-([0-9a-f]{16})-\d+$/, '$1');
            live.set(content, (live.get(content) ?? 0) + 1);
          }
          for (const [content, count] of live) expect(count, `live jobs for ${content}`).toBe(1);
          expect(used.emulator.stats().requests).toBe(0);
        };
        for (const a of actions) {
          if (a.kind === 'run') await run(a.output, { wait: a.wait });
          else if (a.kind === 'cancel') await run(a.output, { cancel: true });
          else if (a.kind === 'killWhileHanding') await run(a.output, {}, a.after);
          else version[a.row] = (version[a.row] ?? 0) + 1;
          await check();
        }
        for (const o of [0, 1] as const) {
          await run(o, {});
          await run(o, {}); // rows a --cancel left: their new job is collected here
          await check();
          for (const row of rows()) expect(held[o]?.get(row.index)).toBe(recordKey(row.request));
        }
      }),
      {
        numRuns: Number(process.env.BATCH_MODEL_RUNS ?? 12),
        seed: Number(process.env.BATCH_MODEL_SEED ?? 23),
      },
    );
  }, 240_000);
});
