/** `--checkpoint-every`: rows or seconds, 60 s by default; a bad value names the option. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadJob } from '../../src/job/file.js';
import { resolveSpec } from '../../src/job/resolve.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-s3-options-'));
writeFileSync(join(dir, 'in.csv'), 'id,prompt\n1,hi\n');
const ctx = { cwd: dir, env: {} };

describe('--checkpoint-every', () => {
  it.each([
    [undefined, { seconds: 60 }],
    ['500', { rows: 500 }],
    ['30s', { seconds: 30 }],
  ])('%s gives %o', (value, expected) => {
    const raw = { input: 'in.csv', ...(value === undefined ? {} : { 'checkpoint-every': value }) };
    expect(resolveSpec(raw, ctx).checkpointEvery).toEqual(expected);
  });

  it.each(['0', 'abc', '10m', '-5', '1.5'])('refuses %s', (value) => {
    expect(() => resolveSpec({ input: 'in.csv', 'checkpoint-every': value }, ctx)).toThrow(
      /--checkpoint-every must be a number of rows \(500\) or of seconds with an s \(60s\)/,
    );
  });

  it('keeps s3:// outputs and inputs as they are, and names an S3 default output beside the object', () => {
    const spec = resolveSpec({ input: 's3://b/p/in.csv.gz' }, ctx);
    expect(spec.input).toBe('s3://b/p/in.csv.gz');
    expect(spec.inputFormat).toBe('csv');
    expect(spec.output).toBe('s3://b/p/in.results.csv');
    expect(resolveSpec({ input: 'in.csv', output: 's3://b/o.jsonl' }, ctx).output).toBe('s3://b/o.jsonl');
    expect(() => resolveSpec({ input: 's3://b/p/*.csv' }, ctx)).toThrow(
      /names many objects: name the results with -o/,
    );
  });

  it('keeps s3:// locations of a job file as they are (not made relative to the file)', () => {
    writeFileSync(join(dir, 'job.yaml'), 'input: s3://b/p/in.csv\noutput: s3://b/p/out.parquet\n');
    const spec = resolveSpec(loadJob({ job: 'job.yaml' }, dir).raw, ctx);
    expect([spec.input, spec.output]).toEqual(['s3://b/p/in.csv', 's3://b/p/out.parquet']);
  });
});
