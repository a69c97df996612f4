import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countMedia } from '../../src/emulator/runtime/media-count.js';
import { RunBatchError } from '../../src/errors.js';
import { estimateRequestTokens, estimateTokens } from '../../src/input/tokens.js';
import { loadSchema } from '../../src/job/json-schema.js';
import { type RowExtras, requestExtender } from '../../src/plan/answers.js';
import type { PromptRequest } from '../../src/types.js';

const schema = loadSchema(resolve('jobs/ticket-triage.schema.json'), 'jobs/ticket-triage.schema.json');
const HAIKU = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const extras = (over: Partial<RowExtras> = {}): RowExtras => ({
  label: 'in.csv',
  api: 'converse',
  baseDir: resolve('fixtures'),
  jobModel: HAIKU,
  format: 'csv',
  attach: [],
  answer: { schema, mode: 'auto', retries: 2 },
  ...over,
});
const request = (over: Partial<PromptRequest> = {}): PromptRequest => ({
  index: 0,
  line: 4,
  id: '1',
  row: {},
  model: HAIKU,
  messages: [{ role: 'user', content: [{ text: 'x'.repeat(40) }] }],
  inference: { maxTokens: 100, stopSequences: [] },
  ...over,
});
const row = (data: Record<string, unknown>) => ({ index: 0, line: 4, data });

function refusal(fn: () => unknown): RunBatchError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunBatchError);
    return error as RunBatchError;
  }
  throw new Error('expected a refusal');
}

describe('the plan pass for answers and attachments', () => {
  it('gives each request its answer plan, decided once per model, and counts the extras in the estimate', () => {
    const extend = requestExtender(extras({ attach: ['files'] }));
    const a = extend(request(), row({ files: 'attachments/login-error.png' }), ['files']);
    const b = extend(request({ id: '2' }), row({ files: '' }), ['files']);
    expect(a.answer?.wire).toBe('native');
    expect(a.answer).toBe(b.answer);
    expect(a.answer?.maxTokensLimit).toBe(64_000);
    expect(a.attachments).toHaveLength(1);
    expect(b.attachments).toBeUndefined();
    // 40 characters (10 tokens), the schema, and a 320x200 image (86 tokens).
    expect(a.answer?.tokens).toBe(estimateTokens(schema.text));
    expect(estimateRequestTokens(a)).toBe(10 + estimateTokens(schema.text) + 86);
    expect(estimateRequestTokens(b)).toBe(10 + estimateTokens(schema.text));
  });

  it("refuses the job's model as a usage error, a row's model column naming the row", () => {
    const extend = requestExtender(extras({ jobModel: 'meta.llama3-1-8b-instruct-v1:0' }));
    const job = refusal(() => extend(request({ model: 'meta.llama3-1-8b-instruct-v1:0' }), row({}), []));
    expect(job.code).toBe('USAGE');
    expect(job.message).toMatch(/^--json-schema: "meta\.llama3-1-8b-instruct-v1:0" has neither/);
    const perRow = refusal(() =>
      requestExtender(extras())(request({ model: 'mistral.mistral-large-2402-v1:0' }), row({}), []),
    );
    expect(perRow.code).toBe('INPUT');
    expect(perRow.message).toMatch(/^in\.csv:4: --json-schema: "mistral\.mistral-large-2402-v1:0"/);
  });

  it('leaves a batch record alone', () => {
    const r = requestExtender(extras())(request({ nativeBody: { messages: [] } }), row({}), []);
    expect(r.answer).toBeUndefined();
  });

  it('a JSONL field may list the files', () => {
    const extend = requestExtender(extras({ format: 'jsonl', attach: ['files'], answer: undefined }));
    const r = extend(
      request(),
      row({ files: ['attachments/python-logo.gif', 'attachments/export-steps.md'] }),
      [],
    );
    expect(r.attachments?.map((a) => a.format)).toEqual(['gif', 'md']);
    // and a JSONL row without the field has none
    expect(extend(request(), row({}), []).attachments).toBeUndefined();
  });

  it('a CSV without the --attach column is refused at line 1', () => {
    const extend = requestExtender(extras({ attach: ['scan'] }));
    expect(refusal(() => extend(request(), row({}), ['id', 'prompt'])).message).toBe(
      'in.csv:1: no "scan" column for --attach; the columns are id, prompt',
    );
  });
});

describe("the emulator's attachment count", () => {
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));
  it.each([
    [{ messages: [{ role: 'user', content: [{ text: 'no image here' }] }] }, undefined],
    [
      {
        messages: [
          {
            role: 'user',
            content: [
              { image: { format: 'png', source: { bytes: 'AAAA' } } },
              { document: { format: 'pdf', name: 'a', source: { s3Location: { uri: 's3://b/a.pdf' } } } },
              { text: 'what is this?' },
            ],
          },
        ],
      },
      { images: 1, documents: 1, s3Locations: 1 },
    ],
    [
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', data: 'AA' } },
              { type: 'document', source: {} },
            ],
          },
        ],
      },
      { images: 1, documents: 1, s3Locations: 0 },
    ],
    // the word in a prompt is not a block
    [{ messages: [{ role: 'user', content: [{ text: 'an "image" of a "document"' }] }] }, undefined],
  ])('%j', (value, expected) => {
    expect(countMedia(body(value))).toEqual(expected);
  });
});
