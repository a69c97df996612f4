/**
 * The batch engine through its entry point against the emulator's control plane and S3, with the
 * real @aws-sdk/client-bedrock, client-s3 and lib-storage over loopback. Jobs are counted in the
 * emulator's stats, never timed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { statePath } from '../../src/engines/batch/index.js';
import type { BatchState } from '../../src/engines/batch/state.js';
import { runEngine, tempOutput, testSettings } from '../helpers/batch-engine.js';
import { batchRows } from '../helpers/batch-rows.js';
import { useEmulator } from '../helpers/emulator.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'batch-bucket';
const used = useEmulator({ batchStepMs: 5, s3Buckets: [BUCKET] });
const endpoints = () => ({ bedrock: used.emulator.url, s3: used.emulator.url });
const jobs = () => used.emulator.stats().batch.jobs;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as BatchState;

describe('batch engine against the emulator', () => {
  it('runs 120 rows as one job: ok rows with usage, failed records with their code and message', async () => {
    const failing = new Set([5, 77]);
    const rows = batchRows(120, (i) =>
      failing.has(i) ? `Q${i} [[emulator:error=ValidationException]]` : `Question ${i}`,
    );
    const output = tempOutput();
    const seen: string[] = [];
    const warnings: string[] = [];
    const result = await runEngine(rows, testSettings(output, BUCKET), endpoints(), {
      onProgress: (progress) => seen.push(...progress.map((j) => j.status)),
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toEqual([]); // the manifest agrees with the records read
    expect(result).toMatchObject({ pending: 0, jobs: [] });
    expect(result.stopReason).toBeUndefined();
    expect(result.finished).toHaveLength(120);
    const byIndex = new Map(result.finished.map((f) => [f.row.index, f.outcome]));
    expect(byIndex.size).toBe(120);
    for (const [index, outcome] of byIndex) {
      if (failing.has(index)) {
        expect(outcome).toMatchObject({ kind: 'failed', code: '400', message: expect.any(String) });
      } else {
        expect(outcome.kind).toBe('ok');
        if (outcome.kind === 'ok') {
          expect(outcome.value.text).not.toBe('');
          expect(outcome.value.usage.inputTokens).toBeGreaterThan(0);
          expect(outcome.value.usage.outputTokens).toBeGreaterThan(0);
          expect(outcome.jobArn).toMatch(/:model-invocation-job\/[a-z0-9]{12}$/);
        }
      }
    }
    expect(jobs()).toBe(1);
    expect(seen.at(-1)).toBe('Completed');
    const state = readJson(statePath(output));
    expect(state.jobs).toHaveLength(1);
    expect(state.jobs[0]).toMatchObject({
      status: 'Completed',
      collected: true,
      records: 120,
      type: 'Converse',
    });
  });

  it('splits into jobs within the limits and keeps to the jobs-in-flight quota', async () => {
    // 300 rows at most 100 a job: three jobs of 100 (the emulator, like Bedrock, refuses fewer).
    const rows = batchRows(300);
    const output = tempOutput();
    let mostInFlight = 0;
    const settings = testSettings(output, BUCKET);
    settings.limits = { ...settings.limits, recordsPerJob: 100, recordsPerFile: 40, jobsInFlightPerModel: 1 };
    const result = await runEngine(rows, settings, endpoints(), {
      onProgress: (progress) => {
        const flying = progress.filter(
          (j) => !['Planned', 'Completed', 'PartiallyCompleted'].includes(j.status),
        );
        mostInFlight = Math.max(mostInFlight, flying.length);
      },
    });
    expect(result.pending).toBe(0);
    expect(result.finished.filter((f) => f.outcome.kind === 'ok')).toHaveLength(300);
    expect(jobs()).toBe(3);
    expect(mostInFlight).toBe(1);
    const state = readJson(statePath(output));
    expect(state.jobs.map((j) => [j.records, j.files])).toEqual([
      [100, [34, 33, 33]],
      [100, [34, 33, 33]],
      [100, [34, 33, 33]],
    ]);
  });

  it('an abort while waiting leaves the job running; the next call re-attaches and never submits twice', async () => {
    const rows = batchRows(150);
    const output = tempOutput();
    const controller = new AbortController();
    const first = await runEngine(rows, testSettings(output, BUCKET), endpoints(), {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.some((j) => j.status !== 'Planned')) controller.abort();
      },
    });
    expect(first).toMatchObject({ pending: 150, stopReason: 'signal', finished: [] });
    // A kill between Create's answer and the state write: the ARN never reached the file.
    const path = statePath(output);
    const state = readJson(path);
    expect(state.jobs[0]?.arn).toBeDefined();
    delete state.jobs[0]?.arn;
    if (state.jobs[0]) state.jobs[0].status = 'Planned';
    writeFileSync(path, JSON.stringify(state));
    expect(used.emulator.stats().batch.submissions).toBe(1);
    const second = await runEngine(rows, testSettings(output, BUCKET), endpoints());
    // Found on Bedrock by its content (the name carries it): attached, no second Create.
    expect(used.emulator.stats().batch.submissions).toBe(1);
    expect(second.pending).toBe(0);
    expect(second.finished.map((f) => f.row.index).sort((a, b) => a - b)).toEqual(rows.map((r) => r.index));
    expect(second.finished.every((f) => f.outcome.kind === 'ok')).toBe(true);
    expect(jobs()).toBe(1);
  });

  it('--no-wait submits and returns; a later call collects; rows already done are not returned', async () => {
    const rows = batchRows(100);
    const output = tempOutput();
    const first = await runEngine(rows, testSettings(output, BUCKET, { wait: false }), endpoints());
    expect(first).toMatchObject({ pending: 100, stopReason: 'no-wait', finished: [] });
    expect(first.jobs).toEqual([expect.objectContaining({ records: 100, status: expect.any(String) })]);
    for (const row of rows.slice(0, 10)) row.done = true;
    const second = await runEngine(rows, testSettings(output, BUCKET), endpoints());
    expect(second.pending).toBe(0);
    expect(second.finished).toHaveLength(90);
    expect(second.finished.some((f) => f.row.index < 10)).toBe(false);
    expect(jobs()).toBe(1);
  });

  it('--cancel stops the job; the next call reports its rows as failed with the reason', async () => {
    const rows = batchRows(100);
    const output = tempOutput();
    await runEngine(rows, testSettings(output, BUCKET, { wait: false }), endpoints());
    const cancelled = await runEngine(
      rows,
      testSettings(output, BUCKET, { cancel: true, wait: false }),
      endpoints(),
    );
    expect(cancelled).toMatchObject({ stopReason: 'cancelled', finished: [] });
    expect(cancelled.jobs[0]?.status).toMatch(/^Stopp(ing|ed)$/);
    const after = await runEngine(rows, testSettings(output, BUCKET), endpoints());
    expect(after.finished).toHaveLength(100);
    expect(after.finished[0]?.outcome).toMatchObject({ kind: 'failed', code: 'BatchJobStopped' });
    expect(used.emulator.stats().batch.byStatus.Stopped).toBe(1);
    expect(jobs()).toBe(1);
  });

  it('a row edited while its job runs does not take the old answer; the others are collected', async () => {
    const output = tempOutput();
    await runEngine(batchRows(100), testSettings(output, BUCKET, { wait: false }), endpoints());
    const changed = batchRows(100, (i) => (i === 50 ? 'Another question' : `Question ${i + 1}`));
    const result = await runEngine(changed, testSettings(output, BUCKET), endpoints());
    expect(result.finished).toHaveLength(100);
    const row50 = result.finished.find((f) => f.row.index === 50)?.outcome;
    expect(row50).toMatchObject({ kind: 'failed', code: 'BatchBelowMinimum' });
    expect(result.finished.filter((f) => f.outcome.kind === 'ok')).toHaveLength(99);
    expect(jobs()).toBe(1);
  });

  it('hands a model with fewer rows than a job takes back as failed, for the caller to run on demand', async () => {
    const rows = batchRows(103);
    for (const row of rows.slice(100)) row.request.model = 'amazon.nova-lite-v1:0';
    const result = await runEngine(rows, testSettings(tempOutput(), BUCKET), endpoints());
    const failed = result.finished.filter((f) => f.outcome.kind === 'failed');
    expect(failed.map((f) => [f.row.index, f.outcome.kind === 'failed' && f.outcome.code])).toEqual([
      [100, 'BatchBelowMinimum'],
      [101, 'BatchBelowMinimum'],
      [102, 'BatchBelowMinimum'],
    ]);
    expect(result.finished).toHaveLength(103);
    expect(jobs()).toBe(1);
  });
});

describe('InvokeModel-type jobs', () => {
  it('--api invoke sends native bodies and reads native answers; batch-record rows pass through', async () => {
    const rows = batchRows(100);
    const nativeBody = {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 20,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'As given' }] }],
    };
    for (const row of rows.slice(0, 3)) row.request.nativeBody = nativeBody;
    const output = tempOutput();
    const result = await runEngine(rows, testSettings(output, BUCKET, { api: 'invoke' }), endpoints());
    expect(result.finished).toHaveLength(100);
    for (const { outcome } of result.finished) {
      expect(outcome.kind).toBe('ok');
      if (outcome.kind === 'ok') {
        expect(outcome.value.text).not.toBe('');
        expect(outcome.value.stopReason).not.toBe('');
        expect(outcome.value.usage.inputTokens).toBeGreaterThan(0);
      }
    }
    expect(readJson(statePath(output)).jobs.map((j) => j.type)).toEqual(['InvokeModel']);
    expect(jobs()).toBe(1);
  });
});

describe('handing rows on', () => {
  it('a job is marked collected only after onFinished took its rows', async () => {
    const rows = batchRows(100);
    const output = tempOutput();
    const failing = runEngine(rows, testSettings(output, BUCKET), endpoints(), {
      onFinished: () => {
        throw new Error('disk full');
      },
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(readJson(statePath(output)).jobs[0]).toMatchObject({ status: 'Completed', collected: false });
    const taken: number[] = [];
    const again = await runEngine(rows, testSettings(output, BUCKET), endpoints(), {
      onFinished: (finished) => {
        taken.push(...finished.map((f) => f.row.index));
      },
    });
    // Every row once, in input order whatever order the job wrote them in; the caller took them,
    // so the result does not hold them too (a 250,000-row run would keep every answer to its end).
    expect(taken).toEqual(rows.map((r) => r.index));
    expect(again.finished).toHaveLength(0);
    expect(readJson(statePath(output)).jobs[0]?.collected).toBe(true);
    expect(jobs()).toBe(1);
  });

  it('rows of a collected job still not done are collected again from the job that holds them', async () => {
    const rows = batchRows(100);
    const output = tempOutput();
    await runEngine(rows, testSettings(output, BUCKET), endpoints());
    const again = await runEngine(rows, testSettings(output, BUCKET), endpoints());
    expect(again.finished).toHaveLength(100);
    expect(again.finished.every((f) => f.outcome.kind === 'ok')).toBe(true);
    expect(jobs()).toBe(1);
    // Another output, another S3 prefix: the same records, the same job, no Create.
    const elsewhere = testSettings(tempOutput('other.jsonl'), BUCKET, {
      s3: { bucket: BUCKET, prefix: 'b/' },
    });
    const other = await runEngine(rows, elsewhere, endpoints());
    expect(other.finished.filter((f) => f.outcome.kind === 'ok')).toHaveLength(100);
    expect(jobs()).toBe(1);
    for (const row of rows) row.done = true;
    const none = await runEngine(rows, testSettings(output, BUCKET), endpoints());
    expect(none).toMatchObject({ finished: [], pending: 0 });
    expect(jobs()).toBe(1);
  });
});

describe('a control plane that stops answering', () => {
  it('is polled again a few times, then the run returns with the job pending', async () => {
    const rows = batchRows(100);
    const output = tempOutput();
    await runEngine(rows, testSettings(output, BUCKET, { wait: false }), endpoints());
    const warnings: string[] = [];
    const sleeps: number[] = [];
    // Nothing listens on port 1: every GetModelInvocationJob fails to connect.
    const result = await runEngine(
      rows,
      testSettings(output, BUCKET),
      { bedrock: 'http://127.0.0.1:1', s3: used.emulator.url },
      {
        onWarning: (w) => warnings.push(w),
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    );
    expect(result).toMatchObject({
      pending: 100,
      finished: [],
      stopReason: expect.stringMatching(/^batch: /),
    });
    expect(warnings).toHaveLength(5);
    expect(sleeps).toEqual([10, 15, 23, 34]); // the poll backoff between the five tries
    expect(readJson(statePath(output)).jobs[0]?.arn).toBeDefined();
    const later = await runEngine(rows, testSettings(output, BUCKET), endpoints());
    expect(later.finished).toHaveLength(100);
    expect(jobs()).toBe(1);
  });
});

describe('jobs Bedrock refuses or fails', () => {
  it('a job that fails validation fails its rows with the job message', async () => {
    const settings = testSettings(tempOutput(), BUCKET);
    // The engine lets 60 through; the emulator, like Bedrock, wants 100 a job and fails it.
    settings.limits = { ...settings.limits, minRecordsPerJob: 50 };
    const result = await runEngine(batchRows(60), settings, endpoints());
    expect(result.pending).toBe(0);
    expect(result.finished).toHaveLength(60);
    const outcome = result.finished[0]?.outcome;
    expect(outcome).toMatchObject({ kind: 'failed', code: 'BatchJobFailed' });
    expect(outcome?.kind === 'failed' && outcome.message).toMatch(/ended Failed: .+/);
    expect(jobs()).toBe(1);
  });

  it('a job that expires fails every row with BatchJobExpired', async () => {
    const rows = batchRows(100, (i) => (i === 0 ? 'Q [[emulator:job=Expired]]' : `Question ${i}`));
    const result = await runEngine(rows, testSettings(tempOutput(), BUCKET), endpoints());
    expect(result.finished).toHaveLength(100);
    expect(new Set(result.finished.map((f) => f.outcome.kind === 'failed' && f.outcome.code))).toEqual(
      new Set(['BatchJobExpired']),
    );
  });

  it('a job PartiallyCompleted gives its answered rows ok and the others BatchRecordMissing', async () => {
    const rows = batchRows(100, (i) => (i === 0 ? 'Q [[emulator:job=PartiallyCompleted]]' : `Question ${i}`));
    const warnings: string[] = [];
    const result = await runEngine(rows, testSettings(tempOutput(), BUCKET), endpoints(), {
      onWarning: (w) => warnings.push(w),
    });
    expect(result.finished).toHaveLength(100);
    const ok = result.finished.filter((f) => f.outcome.kind === 'ok').length;
    const missing = result.finished.filter(
      (f) => f.outcome.kind === 'failed' && f.outcome.code === 'BatchRecordMissing',
    );
    expect(ok).toBeGreaterThan(0);
    expect(missing.length).toBeGreaterThan(0);
    expect(ok + missing.length).toBe(100);
    expect(warnings).toEqual([]); // the manifest counts what was answered, as read
  });

  it('a job CreateModelInvocationJob refuses fails its rows with the reason, nothing created', async () => {
    const rows = batchRows(100, undefined, { model: 'nosuch.model-v1:0' });
    const result = await runEngine(rows, testSettings(tempOutput(), BUCKET), endpoints());
    expect(result.finished).toHaveLength(100);
    expect(result.finished[0]?.outcome).toMatchObject({
      kind: 'failed',
      code: 'BatchJobNotCreated',
      message: expect.stringMatching(/CreateModelInvocationJob refused it \(ValidationException\)/),
    });
    expect(jobs()).toBe(0);
  });
});

describe('an account whose jobs-in-flight quota is smaller than the limits table says', () => {
  // Steps of 100 ms: the first job is still running when the second is created, however loaded
  // the machine (at 5 ms it could finish first, and nothing had to wait).
  const tight = useEmulator({ batchStepMs: 100, s3Buckets: [BUCKET], batchJobsInFlight: 1 });

  it('waits for a slot on ServiceQuotaExceededException instead of failing the rows', async () => {
    const settings = testSettings(tempOutput(), BUCKET);
    settings.limits = { ...settings.limits, recordsPerJob: 100 };
    const warnings: string[] = [];
    const url = tight.emulator.url;
    const result = await runEngine(
      batchRows(200),
      settings,
      { bedrock: url, s3: url },
      {
        onWarning: (w) => warnings.push(w),
      },
    );
    expect(result.pending).toBe(0);
    expect(result.finished.filter((f) => f.outcome.kind === 'ok')).toHaveLength(200);
    expect(tight.emulator.stats().batch.jobs).toBe(2);
    expect(warnings).toEqual([expect.stringMatching(/-[0-9a-f]{16}-1 waits for a slot: /)]);
  });
});
