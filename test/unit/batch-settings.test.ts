import { describe, expect, it } from 'vitest';
import {
  BATCH_OPTIONS,
  batchOptions,
  batchSettings,
  checkBatchSize,
  chooseMode,
  DEFAULT_BATCH_LIMITS,
  parseBatchRetry,
  parseMinRecords,
  parseMode,
  parseRoleArn,
  parseS3Uri,
  requireBatchSetup,
  s3Uri,
} from '../../src/engines/batch/index.js';
import type { RunBatchError } from '../../src/errors.js';
import { OptionValueError } from '../../src/job/values.js';

describe('parseS3Uri', () => {
  it.each([
    ['s3://my-bucket/run-batch/', { bucket: 'my-bucket', prefix: 'run-batch/' }],
    ['s3://my-bucket/run-batch', { bucket: 'my-bucket', prefix: 'run-batch/' }],
    ['s3://my-bucket', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my.bucket-1/a/b.c/(x)/', { bucket: 'my.bucket-1', prefix: 'a/b.c/(x)/' }],
  ])('%s', (uri, expected) => {
    expect(parseS3Uri(uri)).toEqual(expected);
    expect(s3Uri(parseS3Uri(uri), 'job/')).toBe(`s3://${expected.bucket}/${expected.prefix}job/`);
  });

  it.each([
    [
      'my-bucket/prefix',
      /--s3 must be an S3 URI such as s3:\/\/my-bucket\/run-batch\/, got "my-bucket\/prefix"/,
    ],
    ['https://x/y', /--s3 must be an S3 URI/],
    ['s3://My_Bucket/x', /--s3 must name a bucket .* got "My_Bucket"/],
    ['s3://ab/x', /must name a bucket/],
    ['s3://bucket/has space/', /prefix segment "has space" .* not allowed by Bedrock/],
    ['s3://bucket/a//b/', /prefix segment "" /],
    ['s3://bucket/ünï/', /prefix segment "ünï"/],
  ])('refuses %s', (uri, message) => {
    const error = (() => {
      try {
        parseS3Uri(uri);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OptionValueError);
    expect((error as RunBatchError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a value that is not text, quoting it', () => {
    expect(() => parseS3Uri(42)).toThrow('--s3 must be an S3 URI such as s3://my-bucket/run-batch/, got 42');
  });
});

describe('parseRoleArn', () => {
  it.each(['arn:aws:iam::123456789012:role/BedrockBatch', 'arn:aws-us-gov:iam::123456789012:role/path/Role'])(
    'takes %s',
    (arn) => expect(parseRoleArn(arn)).toBe(arn),
  );
  it.each(['BedrockBatch', 'arn:aws:iam::123:role/X', 'arn:aws:iam::123456789012:user/bob', ''])(
    'refuses %j',
    (arn) => {
      expect(() => parseRoleArn(arn)).toThrow(
        `--role-arn must be an IAM role ARN such as arn:aws:iam::123456789012:role/BedrockBatch, got ${JSON.stringify(arn)}`,
      );
    },
  );
});

describe('mode, retry and minimum options', () => {
  it('parses the choices and refuses others by name', () => {
    expect(parseMode('auto')).toBe('auto');
    expect(parseBatchRetry('none')).toBe('none');
    expect(parseMinRecords('250')).toBe(250);
    expect(() => parseMode('fast')).toThrow('--mode must be one of ondemand, batch, auto, got "fast"');
    expect(() => parseBatchRetry('always')).toThrow(
      '--batch-retry must be one of ondemand, none, got "always"',
    );
    expect(() => parseMinRecords('0')).toThrow(
      '--batch-min-records must be a whole number from 1 up, got "0"',
    );
  });

  it.each([
    ['auto', 99, 100, 'ondemand'],
    ['auto', 100, 100, 'batch'],
    ['batch', 5, 100, 'batch'],
    ['ondemand', 1000, 100, 'ondemand'],
  ] as const)('%s with %i rows (minimum %i) runs %s', (mode, rows, min, expected) => {
    expect(chooseMode(mode, rows, min)).toBe(expected);
  });

  it('batch needs --s3 and --role-arn, and enough rows', () => {
    expect(() => requireBatchSetup({ roleArn: 'x' }, 'batch')).toThrow(
      /--mode batch needs --s3 s3:\/\/bucket\/prefix\//,
    );
    expect(() => requireBatchSetup({ s3: 'x' }, 'auto')).toThrow(/--mode auto .* needs --role-arn/);
    expect(() => requireBatchSetup({ s3: 'x', roleArn: 'y' }, 'batch')).not.toThrow();
    expect(() => checkBatchSize(42, 100)).toThrow(
      "--mode batch needs at least 100 rows to run (Bedrock's minimum records per job, --batch-min-records), got 42; use --mode auto or --mode ondemand",
    );
    expect(() => checkBatchSize(100, 100)).not.toThrow();
    expect(() => checkBatchSize(0, 100)).not.toThrow(); // nothing left to run (all done) is not an error
  });

  it('batchSettings fills the defaults and lays overrides over the limits table', () => {
    const settings = batchSettings({
      output: '/tmp/out.jsonl',
      s3: { bucket: 'b', prefix: '' },
      roleArn: 'arn:aws:iam::123456789012:role/R',
      limits: { ...DEFAULT_BATCH_LIMITS, recordsPerFile: 10 },
    });
    expect(settings).toMatchObject({ api: 'converse', wait: true, cancel: false });
    expect(settings.limits).toEqual({ ...DEFAULT_BATCH_LIMITS, recordsPerFile: 10 });
    expect(DEFAULT_BATCH_LIMITS).toEqual({
      recordsPerFile: 50_000,
      recordsPerJob: 50_000,
      bytesPerFile: 1024 ** 3,
      bytesPerJob: 5 * 1024 ** 3,
      jobsInFlightPerModel: 20,
      minRecordsPerJob: 100,
    });
  });
});

describe('batchOptions (flags and job-file keys)', () => {
  const setup = { s3: 's3://b-1/p/', 'role-arn': 'arn:aws:iam::123456789012:role/R' };

  it('defaults to on-demand with nothing required', () => {
    expect(batchOptions({})).toEqual({
      mode: 'ondemand',
      wait: true,
      cancel: false,
      batchRetry: 'ondemand',
      minRecords: 100,
    });
  });

  it('checks and converts every batch option', () => {
    expect(
      batchOptions({
        ...setup,
        mode: 'batch',
        wait: false,
        'batch-retry': 'none',
        'batch-min-records': '1000',
        'batch-timeout-hours': 48,
      }),
    ).toEqual({
      mode: 'batch',
      s3: { bucket: 'b-1', prefix: 'p/' },
      roleArn: setup['role-arn'],
      wait: false,
      cancel: false,
      batchRetry: 'none',
      minRecords: 1000,
      timeoutHours: 48,
    });
  });

  it.each([
    [{ mode: 'batch', 'role-arn': setup['role-arn'] }, /^--mode batch needs --s3/],
    [{ mode: 'auto', s3: setup.s3 }, /^--mode auto \(which may choose batch\) needs --role-arn/],
    [{ cancel: true }, /^--cancel needs --s3/],
    [
      { ...setup, 'batch-timeout-hours': 12 },
      /^--batch-timeout-hours must be a whole number from 24 to 168, got 12$/,
    ],
    [{ ...setup, wait: 'no' }, /^--wait must be true or false, got "no"$/],
  ])('refuses %j', (raw, message) => {
    const error = (() => {
      try {
        batchOptions(raw);
      } catch (e) {
        return e as RunBatchError;
      }
    })();
    expect(error?.message).toMatch(message);
    expect(error?.exitCode).toBe(2);
  });

  it('offers every option it reads to the options table', () => {
    expect(BATCH_OPTIONS.map((o) => o.flag)).toEqual([
      'mode',
      's3',
      'role-arn',
      'wait',
      'cancel',
      'batch-retry',
      'batch-min-records',
      'batch-timeout-hours',
    ]);
  });
});
