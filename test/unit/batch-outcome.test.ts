import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchCode, manifestMismatches, readOutputLine } from '../../src/engines/batch/outcome.js';
import { type BatchState, readState, writeState } from '../../src/engines/batch/state.js';
import { RunBatchError } from '../../src/errors.js';

const at = new Date('2026-12-01T03:00:00Z');
const arn = 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl';

describe('readOutputLine', () => {
  it('reads a Converse-type record: text, stop reason and usage from modelOutput', () => {
    const line = JSON.stringify({
      recordId: 'R0000000007',
      modelInput: { messages: [] },
      modelOutput: {
        output: { message: { role: 'assistant', content: [{ text: 'Paris' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15, cacheReadInputTokens: 2 },
      },
    });
    expect(readOutputLine(line, 'Converse', at, arn)).toEqual({
      index: 7,
      outcome: {
        kind: 'ok',
        finishedAt: at,
        jobArn: arn,
        value: {
          text: 'Paris',
          stopReason: 'end_turn',
          usage: {
            inputTokens: 12,
            outputTokens: 3,
            totalTokens: 15,
            cacheReadTokens: 2,
            cacheWriteTokens: 0,
          },
        },
      },
    });
  });

  it.each([
    [
      {
        content: [{ type: 'text', text: 'Hi' }],
        stop_reason: 'max_tokens',
        usage: { input_tokens: 5, output_tokens: 7 },
      },
      { text: 'Hi', stopReason: 'max_tokens', inputTokens: 5, outputTokens: 7 },
    ],
    [
      { generation: 'Yo', stop_reason: 'stop', prompt_token_count: 4, generation_token_count: 2 },
      { text: 'Yo', stopReason: 'end_turn', inputTokens: 4, outputTokens: 2 },
    ],
  ])('reads a native InvokeModel body %#', (modelOutput, expected) => {
    const read = readOutputLine(
      JSON.stringify({ recordId: 'R0000000001', modelOutput }),
      'InvokeModel',
      at,
      arn,
    );
    expect(read).toMatchObject({
      index: 1,
      outcome: {
        kind: 'ok',
        value: {
          text: expected.text,
          stopReason: expected.stopReason,
          usage: { inputTokens: expected.inputTokens, outputTokens: expected.outputTokens },
        },
      },
    });
  });

  it('turns a failed record into a failed outcome with its code and message', () => {
    const line = JSON.stringify({
      recordId: 'R0000000002',
      modelInput: {},
      error: { errorCode: 400, errorMessage: 'Malformed input request' },
    });
    expect(readOutputLine(line, 'Converse', at, arn)).toEqual({
      index: 2,
      outcome: {
        kind: 'failed',
        code: '400',
        message: 'Malformed input request',
        finishedAt: at,
        jobArn: arn,
      },
    });
  });

  it.each([
    ['{"recordId":"CALL0000001","modelOutput":{}}', { unknownId: 'CALL0000001' }],
    ['{"recordId":"R0000000003","modelInput":{}}', { index: 3, outcome: { code: BatchCode.Unreadable } }],
    ['{"recordId":"R0000000004", cut', { index: 4, outcome: { code: BatchCode.Unreadable } }],
  ])('handles the odd line %s', (line, expected) => {
    expect(readOutputLine(line, 'Converse', at, arn)).toMatchObject(expected);
  });
});

describe('manifestMismatches', () => {
  it('names each count that disagrees and ignores absent ones', () => {
    expect(
      manifestMismatches(
        { totalRecordCount: 10, successRecordCount: 9, errorRecordCount: 1 },
        { total: 10, ok: 9, failed: 1 },
      ),
    ).toEqual([]);
    expect(
      manifestMismatches({ totalRecordCount: 10, successRecordCount: 10 }, { total: 10, ok: 8, failed: 1 }),
    ).toEqual(['successRecordCount 10, read 8']);
  });
});

describe('state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'batch-state-'));

  it('round-trips and leaves no temp file behind', () => {
    const path = join(dir, 'out.jsonl.batch.json');
    const state: BatchState = { version: 2, jobs: [] };
    expect(readState(path)).toBeUndefined();
    writeState(path, state);
    writeState(path, state);
    expect(readState(path)).toEqual({ version: 2, jobs: [] });
    expect(readdirSync(dir)).toEqual(['out.jsonl.batch.json']);
  });

  it.each(['{"version":1,"jobs"', '{"version":3,"jobs":[]}'])(
    'refuses a damaged file with a message naming it: %s',
    (text) => {
      const path = join(dir, 'bad.batch.json');
      writeFileSync(path, text);
      expect(() => readState(path)).toThrow(RunBatchError);
      expect(() => readState(path)).toThrow(/bad\.batch\.json: the batch state is damaged/);
    },
  );
});
