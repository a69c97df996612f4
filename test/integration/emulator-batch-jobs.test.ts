/**
 * Batch jobs end to end through the real SDKs (client-bedrock, client-s3) over real sockets: input
 * JSONL in the emulator's S3, a job through every status, records answered by the same model code
 * as on-demand calls (directives included), output in Bedrock's layout, counts and manifest.
 */
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import {
  anthropicRecords,
  bedrockClient,
  converseRecords,
  getText,
  jobIdOf,
  jobInput,
  jsonl,
  listKeys,
  parseLines,
  prompts,
  putText,
  s3Client,
  submit,
  waitForJob,
} from '../helpers/emulator-batch.js';
import { sdkClient } from '../helpers/emulator-clients.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BUCKET = 'batch-bucket';
const used = useEmulator({ batchStepMs: 1, batchRecordsPerStep: 40, s3Buckets: [BUCKET] });
const clients = () => ({ bedrock: bedrockClient(used.emulator.url), s3: s3Client(used.emulator.url) });

describe('a Converse-type job', () => {
  it('goes Submitted -> Validating -> Scheduled -> InProgress -> Completed and writes every record once', async () => {
    const { bedrock, s3 } = clients();
    const records = converseRecords(prompts(150));
    await putText(s3, BUCKET, 'in/part-1.jsonl', jsonl(records.slice(0, 100)));
    await putText(s3, BUCKET, 'in/part-2.jsonl', jsonl(records.slice(100)));
    await putText(s3, BUCKET, 'in/notes.txt', 'not an input file');
    const arn = await submit(
      bedrock,
      jobInput(`s3://${BUCKET}/in/`, `s3://${BUCKET}/out/`, { modelInvocationType: 'Converse' }),
    );
    expect(arn).toMatch(/^arn:aws:bedrock:us-east-1:123456789012:model-invocation-job\/[a-z0-9]{12}$/);
    const { job, seen } = await waitForJob(bedrock, arn);
    const order = ['Submitted', 'Validating', 'Scheduled', 'InProgress', 'Completed'];
    // Polling may miss a short status, never reorder them.
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort());
    expect(seen).not.toContain(-1);
    expect(job).toMatchObject({
      status: 'Completed',
      totalRecordCount: 150,
      processedRecordCount: 150,
      successRecordCount: 150,
      errorRecordCount: 0,
      modelInvocationType: 'Converse',
    });
    expect(job.endTime).toBeInstanceOf(Date);
    const id = jobIdOf(arn);
    expect((await listKeys(s3, BUCKET, `out/${id}/`)).sort()).toEqual([
      `out/${id}/manifest.json.out`,
      `out/${id}/part-1.jsonl.out`,
      `out/${id}/part-2.jsonl.out`,
    ]);
    const first = parseLines(await getText(s3, BUCKET, `out/${id}/part-1.jsonl.out`));
    const second = parseLines(await getText(s3, BUCKET, `out/${id}/part-2.jsonl.out`));
    expect(first.map((l) => l.recordId).sort()).toEqual(records.slice(0, 100).map((r) => r.recordId));
    expect(second.map((l) => l.recordId).sort()).toEqual(records.slice(100).map((r) => r.recordId));
    // Shuffled: Bedrock does not keep the input order.
    expect(first.map((l) => l.recordId)).not.toEqual(records.slice(0, 100).map((r) => r.recordId));
    const line = first.find((l) => l.recordId === 'R0001');
    expect(line?.modelInput).toEqual(records[0]?.modelInput);
    expect(line?.modelOutput.output.message.role).toBe('assistant');
    expect(['end_turn', 'max_tokens']).toContain(line?.modelOutput.stopReason);
    const all = [...first, ...second];
    const manifest = JSON.parse(await getText(s3, BUCKET, `out/${id}/manifest.json.out`));
    expect(manifest).toEqual({
      totalRecordCount: 150,
      processedRecordCount: 150,
      successRecordCount: 150,
      errorRecordCount: 0,
      inputTokenCount: all.reduce((sum, l) => sum + l.modelOutput.usage.inputTokens, 0),
      outputTokenCount: all.reduce((sum, l) => sum + l.modelOutput.usage.outputTokens, 0),
    });
    expect(used.emulator.stats().batch).toMatchObject({
      jobs: 1,
      records: 150,
      succeeded: 150,
      failed: 0,
      outputTokens: manifest.outputTokenCount,
    });
    // Batch records are not on-demand requests.
    expect(used.emulator.stats().requests).toBe(0);
  });

  it('answers a record as the same Converse call on demand would', async () => {
    const { bedrock, s3 } = clients();
    const records = converseRecords(prompts(100, 'Classify'));
    await putText(s3, BUCKET, 'same/in.jsonl', jsonl(records));
    const arn = await submit(
      bedrock,
      jobInput(`s3://${BUCKET}/same/in.jsonl`, `s3://${BUCKET}/same-out`, {
        modelInvocationType: 'Converse',
      }),
    );
    await waitForJob(bedrock, arn);
    const lines = parseLines(await getText(s3, BUCKET, `same-out/${jobIdOf(arn)}/in.jsonl.out`));
    const line = lines.find((l) => l.recordId === 'R0007');
    const onDemand = await sdkClient(used.emulator.url, 'http1').send(
      new ConverseCommand({
        modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
        messages: [{ role: 'user', content: [{ text: 'Classify 7' }] }],
        inferenceConfig: { maxTokens: 12 },
      }),
    );
    expect(line?.modelOutput.output).toEqual(onDemand.output);
    expect(line?.modelOutput.usage).toEqual(onDemand.usage);
  });

  it('orders the output the same way for the same input', async () => {
    const { bedrock, s3 } = clients();
    await putText(s3, BUCKET, 'again/in.jsonl', jsonl(converseRecords(prompts(100))));
    const orders: string[][] = [];
    for (const out of ['again-a', 'again-b']) {
      const arn = await submit(
        bedrock,
        jobInput(`s3://${BUCKET}/again/`, `s3://${BUCKET}/${out}/`, { modelInvocationType: 'Converse' }),
      );
      await waitForJob(bedrock, arn);
      const text = await getText(s3, BUCKET, `${out}/${jobIdOf(arn)}/in.jsonl.out`);
      orders.push(parseLines(text).map((l) => l.recordId));
    }
    expect(orders[0]).toHaveLength(100);
    expect(orders[1]).toEqual(orders[0]);
  });
});

describe('records that fail', () => {
  it('carry error {errorCode, errorMessage} and leave the job Completed with errorRecordCount', async () => {
    const { bedrock, s3 } = clients();
    const texts = prompts(100);
    texts[4] = 'Refuse this [[emulator:error=ValidationException]]';
    texts[9] = 'Fail once [[emulator:fail=1:InternalServerException]]';
    await putText(s3, BUCKET, 'err/in.jsonl', jsonl(converseRecords(texts)));
    const arn = await submit(
      bedrock,
      jobInput(`s3://${BUCKET}/err/`, `s3://${BUCKET}/err-out/`, { modelInvocationType: 'Converse' }),
    );
    const { job } = await waitForJob(bedrock, arn);
    expect(job).toMatchObject({ status: 'Completed', successRecordCount: 98, errorRecordCount: 2 });
    const lines = parseLines(await getText(s3, BUCKET, `err-out/${jobIdOf(arn)}/in.jsonl.out`));
    const byId = new Map(lines.map((l) => [l.recordId, l]));
    expect(byId.get('R0005')).toMatchObject({
      error: { errorCode: 400, errorMessage: expect.any(String) },
    });
    expect(byId.get('R0005')?.modelOutput).toBeUndefined();
    expect(byId.get('R0010')?.error).toEqual({
      errorCode: 500,
      errorMessage: 'The server encountered an internal error while processing the request.',
    });
    expect(used.emulator.stats().batch).toMatchObject({ records: 100, succeeded: 98, failed: 2 });
  });

  it('counts a fail=N record apart from on-demand calls, so a re-run on demand can succeed', async () => {
    const { bedrock, s3 } = clients();
    const texts = prompts(100);
    texts[0] = 'Fail once [[emulator:fail=1:InternalServerException]]';
    await putText(s3, BUCKET, 'rerun/in.jsonl', jsonl(converseRecords(texts)));
    const arn = await submit(
      bedrock,
      jobInput(`s3://${BUCKET}/rerun/`, `s3://${BUCKET}/rerun-out/`, { modelInvocationType: 'Converse' }),
    );
    expect((await waitForJob(bedrock, arn)).job.errorRecordCount).toBe(1);
    // On demand, the same request fails its first arrival and succeeds on the SDK's retry.
    const runtime = sdkClient(used.emulator.url, 'http1', 2);
    const answer = await runtime.send(
      new ConverseCommand({
        modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
        messages: [{ role: 'user', content: [{ text: texts[0] ?? '' }] }],
        inferenceConfig: { maxTokens: 12 },
      }),
    );
    expect(answer.output?.message?.role).toBe('assistant');
    expect(used.emulator.stats()).toMatchObject({ requests: 2, ok: 1, faults: 1 });
  });
});

describe('an InvokeModel-type job', () => {
  it('answers native bodies with the family native responses', async () => {
    const { bedrock, s3 } = clients();
    await putText(s3, BUCKET, 'native/in.jsonl', jsonl(anthropicRecords(prompts(100))));
    const arn = await submit(bedrock, jobInput(`s3://${BUCKET}/native/`, `s3://${BUCKET}/native-out/`));
    const { job } = await waitForJob(bedrock, arn);
    expect(job).toMatchObject({
      status: 'Completed',
      modelInvocationType: 'InvokeModel',
      successRecordCount: 100,
    });
    const lines = parseLines(await getText(s3, BUCKET, `native-out/${jobIdOf(arn)}/in.jsonl.out`));
    const output = lines[0]?.modelOutput;
    expect(output).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001' });
    expect(output.usage.output_tokens).toBeGreaterThan(0);
  });

  it('fails the record, not the job, when a Converse body is sent to an InvokeModel-type job', async () => {
    const { bedrock, s3 } = clients();
    await putText(s3, BUCKET, 'mixed/in.jsonl', jsonl(converseRecords(prompts(100))));
    const arn = await submit(bedrock, jobInput(`s3://${BUCKET}/mixed/`, `s3://${BUCKET}/mixed-out/`));
    const { job } = await waitForJob(bedrock, arn);
    expect(job).toMatchObject({ status: 'Completed', successRecordCount: 0, errorRecordCount: 100 });
  });
});

describe('jobs that fail validation', () => {
  it.each([
    [
      'fewer records than the minimum',
      'few/in.jsonl',
      jsonl(converseRecords(prompts(12))),
      /12 records, fewer than the minimum of 100/,
    ],
    [
      'a line that is not a record',
      'bad/in.jsonl',
      `${jsonl(converseRecords(prompts(100)))}{"recordId": "x"}\n`,
      /s3:\/\/batch-bucket\/bad\/in.jsonl line 101 is not a valid record/,
    ],
  ])('ends Failed with a message for %s', async (_case, key, body, message) => {
    const { bedrock, s3 } = clients();
    await putText(s3, BUCKET, key, body);
    const arn = await submit(bedrock, jobInput(`s3://${BUCKET}/${key}`, `s3://${BUCKET}/failed/`));
    const { job } = await waitForJob(bedrock, arn);
    expect(job.status).toBe('Failed');
    expect(job.message).toMatch(message);
    expect(await listKeys(s3, BUCKET, 'failed/')).toEqual([]);
  });

  it('ends Failed when the input has no .jsonl file or its bucket does not exist', async () => {
    const { bedrock } = clients();
    const empty = await submit(bedrock, jobInput(`s3://${BUCKET}/nothing-here/`, `s3://${BUCKET}/o/`));
    expect((await waitForJob(bedrock, empty)).job.message).toMatch(
      /no \.jsonl input files were found at s3:\/\/batch-bucket\/nothing-here\//,
    );
    const missing = await submit(bedrock, jobInput('s3://no-such-bucket/in/', `s3://${BUCKET}/o/`));
    const { job } = await waitForJob(bedrock, missing);
    expect(job.status).toBe('Failed');
    expect(job.message).toMatch(
      /could not read s3:\/\/no-such-bucket\/in\/: The specified bucket does not exist/,
    );
  });
});

describe('job endings scripted in the input', () => {
  const start = async (key: string, texts: string[]) => {
    const { bedrock, s3 } = clients();
    await putText(s3, BUCKET, key, jsonl(converseRecords(texts)));
    const arn = await submit(
      bedrock,
      jobInput(`s3://${BUCKET}/${key}`, `s3://${BUCKET}/ends/`, { modelInvocationType: 'Converse' }),
    );
    return { ...(await waitForJob(bedrock, arn)), arn, s3 };
  };

  it('ends Expired before starting with [[emulator:job=Expired]]', async () => {
    const texts = prompts(100);
    texts[50] = 'Ticket [[emulator:job=Expired]]';
    const { job, seen } = await start('ends/expired.jsonl', texts);
    expect(job.status).toBe('Expired');
    expect(job.message).toContain('did not start within its timeout of 24 hours');
    expect(seen).not.toContain('InProgress');
    expect(job.processedRecordCount).toBe(0);
  });

  it('ends PartiallyCompleted halfway with [[emulator:job=PartiallyCompleted]], writing the half done', async () => {
    const texts = prompts(100);
    texts[0] = 'Ticket [[emulator:job=PartiallyCompleted]]';
    const { job, arn, s3 } = await start('ends/partial.jsonl', texts);
    expect(job).toMatchObject({
      status: 'PartiallyCompleted',
      totalRecordCount: 100,
      processedRecordCount: 50,
    });
    const lines = parseLines(await getText(s3, BUCKET, `ends/${jobIdOf(arn)}/partial.jsonl.out`));
    expect(lines).toHaveLength(50);
    // The directive is taken out before the record is answered.
    expect(lines.find((l) => l.recordId === 'R0001')?.modelInput.messages[0].content[0].text).toBe('Ticket ');
    expect(lines.every((l) => l.modelOutput !== undefined)).toBe(true);
  });

  it.each([
    ['Failed', /scripted to fail/],
    [
      'Sideways',
      /Emulator directive \[\[emulator:job=Sideways\]\]: expected one of Expired, PartiallyCompleted, Failed/,
    ],
  ])('fails the job with [[emulator:job=%s]]', async (value, message) => {
    const texts = prompts(100);
    texts[3] = `Ticket [[emulator:job=${value}]]`;
    const { job } = await start(`ends/${value}.jsonl`, texts);
    expect(job.status).toBe('Failed');
    expect(job.message).toMatch(message);
  });
});
