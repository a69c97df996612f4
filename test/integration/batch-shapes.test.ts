/**
 * Failure shapes of Bedrock's batch engine that other tools were bitten by, each produced by the
 * emulator's control plane with its knob: a job that ends Completed with every record an error; a
 * Create whose answer is lost after Bedrock made the job; a job on an end-of-life model; output
 * written under the prefix rather than `<prefix>/<job id>/`; a stop that lands mid-file. Jobs and
 * calls are counted in the emulator's stats.
 */
import { describe, expect, it } from 'vitest';
import { statePath } from '../../src/engines/batch/index.js';
import { readState } from '../../src/engines/batch/state.js';
import { runEngine, tempOutput, testSettings } from '../helpers/batch-engine.js';
import { batchRows } from '../helpers/batch-rows.js';
import { useEmulator } from '../helpers/emulator.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'shapes-bucket';

describe('a job that ends Completed with every record an error', () => {
  const used = useEmulator({ batchStepMs: 5, s3Buckets: [BUCKET] });
  it('hands every record on as the error it is, and says so once', async () => {
    const rows = batchRows(100, (i) => (i === 0 ? 'Q [[emulator:job=AllErrors]]' : `Question ${i}`));
    const warnings: string[] = [];
    const url = used.emulator.url;
    const result = await runEngine(
      rows,
      testSettings(tempOutput(), BUCKET),
      { bedrock: url, s3: url },
      {
        onWarning: (w) => warnings.push(w),
      },
    );
    expect(used.emulator.stats().batch.byStatus.Completed).toBe(1);
    expect(result.finished).toHaveLength(100);
    expect(new Set(result.finished.map((f) => f.outcome.kind === 'failed' && f.outcome.code))).toEqual(
      new Set(['500']),
    );
    expect(warnings.filter((w) => /every record an error/.test(w))).toHaveLength(1);
  });
});

describe('a Create whose answer is lost after Bedrock made the job', () => {
  // More lost answers than the SDK's three attempts: the engine's own call fails.
  const used = useEmulator({ batchStepMs: 5, s3Buckets: [BUCKET], batchCreateLostReplies: 4 });
  it('finds the job by its content and attaches: one job, no orphan', async () => {
    const rows = batchRows(120);
    const url = used.emulator.url;
    const result = await runEngine(rows, testSettings(tempOutput(), BUCKET), { bedrock: url, s3: url });
    // The SDK's three attempts were all lost; the next round looked the job up instead of a fourth Create.
    expect(used.emulator.stats().batch.faults.lostReplies).toBe(3);
    expect(used.emulator.stats().batch.submissions).toBe(3);
    expect(used.emulator.stats().batch.jobs).toBe(1);
    expect(result.pending).toBe(0);
    expect(result.finished.filter((f) => f.outcome.kind === 'ok')).toHaveLength(120);
  });
});

describe('a job on an end-of-life model', () => {
  const used = useEmulator({ batchStepMs: 5, s3Buckets: [BUCKET] });
  it('is refused at create with Bedrock words; its rows are not run, nothing is created', async () => {
    const rows = batchRows(100, undefined, { model: 'anthropic.claude-3-haiku-20240307-v1:0' });
    const warnings: string[] = [];
    const url = used.emulator.url;
    const output = tempOutput();
    const result = await runEngine(
      rows,
      testSettings(output, BUCKET),
      { bedrock: url, s3: url },
      {
        onWarning: (w) => warnings.push(w),
      },
    );
    expect(used.emulator.stats().batch.jobs).toBe(0);
    expect(result.finished).toHaveLength(100);
    expect(result.finished[0]?.outcome).toMatchObject({
      kind: 'failed',
      code: 'BatchJobNotCreated',
      message: expect.stringMatching(/ValidationException.*end of its life/),
    });
    expect(warnings.join('\n')).toMatch(/refused it \(ValidationException\): This model version has reached/);
    // Collected as not run: the next run submits the rows again (attempt 2), it does not re-pay them.
    expect(readState(statePath(output))?.jobs[0]).toMatchObject({ collected: true, status: 'Failed' });
  });
});

describe('output written under the prefix, not in a <job id>/ folder', () => {
  const used = useEmulator({ batchStepMs: 5, s3Buckets: [BUCKET], batchOutputFlat: true });
  it('is found there and read', async () => {
    const rows = batchRows(100);
    const url = used.emulator.url;
    const result = await runEngine(rows, testSettings(tempOutput(), BUCKET), { bedrock: url, s3: url });
    expect(result.finished.filter((f) => f.outcome.kind === 'ok')).toHaveLength(100);
  });
});

describe('a stop that lands mid-file', () => {
  // The job waits after its 60th record until it is stopped.
  const used = useEmulator({ batchStepMs: 5, batchRecordsPerStep: 25, batchHoldAt: 60, s3Buckets: [BUCKET] });
  it('--cancel collects what the job answered; the rest are not run, never paid on-demand', async () => {
    const rows = batchRows(200);
    const url = used.emulator.url;
    const endpoints = { bedrock: url, s3: url };
    const output = tempOutput();
    const controller = new AbortController();
    await runEngine(rows, testSettings(output, BUCKET), endpoints, {
      signal: controller.signal,
      onProgress: (jobs) => {
        if (jobs.some((j) => j.processed >= 60)) controller.abort();
      },
    });
    const cancelled = await runEngine(rows, testSettings(output, BUCKET, { cancel: true }), endpoints);
    const ok = cancelled.finished.filter((f) => f.outcome.kind === 'ok');
    const stopped = cancelled.finished.filter(
      (f) => f.outcome.kind === 'failed' && f.outcome.code === 'BatchJobStopped',
    );
    expect(ok.length).toBe(60);
    expect(stopped.length).toBe(140);
    expect(ok.length).toBe(used.emulator.stats().batch.succeeded);
    expect(used.emulator.stats().batch.byStatus.Stopped).toBe(1);
    expect(used.emulator.stats().requests).toBe(0);
  });
});

describe('a job on a profile-only model base id, where Bedrock refuses it', () => {
  const used = useEmulator({ batchStepMs: 5, s3Buckets: [BUCKET], batchRefuseProfileOnly: true });
  it('is refused at create with Bedrock words; nothing created, the rows not run', async () => {
    const url = used.emulator.url;
    const result = await runEngine(batchRows(100), testSettings(tempOutput(), BUCKET), {
      bedrock: url,
      s3: url,
    });
    expect(used.emulator.stats().batch.jobs).toBe(0);
    expect(result.finished[0]?.outcome).toMatchObject({
      kind: 'failed',
      code: 'BatchJobNotCreated',
      message: expect.stringMatching(/inference profile that contains this model/),
    });
    // The profile id is taken.
    const profiled = batchRows(100, undefined, { model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0' });
    const ok = await runEngine(profiled, testSettings(tempOutput(), BUCKET), { bedrock: url, s3: url });
    expect(ok.finished.filter((f) => f.outcome.kind === 'ok')).toHaveLength(100);
  });
});
