/** S3 locations: globs, prefixes, the hidden prefix beside an output, and what a prefix input skips. */
import { describe, expect, it } from 'vitest';
import { globMatcher, hiddenPrefixOf, isHiddenKey, isManyObjects, parseS3Uri } from '../../src/remote/uri.js';

describe('S3 locations', () => {
  it.each([
    ['p/*.csv', 'p/a.csv', true],
    ['p/*.csv', 'p/x/a.csv', false],
    ['p/**.csv', 'p/x/a.csv', true],
    ['p/part-[12].csv', 'p/part-1.csv', true],
    ['p/part-[12].csv', 'p/part-3.csv', false],
    ['p/part-[!1].csv', 'p/part-2.csv', true],
    ['p/a?.jsonl', 'p/ab.jsonl', true],
    ['p/*a.b+c.csv', 'p/a.b+c.csv', true],
    ['p/*a.b+c.csv', 'p/aXb+c.csv', false],
  ])('glob %s matches %s: %s', (glob, key, expected) => {
    const { listPrefix, matches } = globMatcher(glob);
    expect(key.startsWith(listPrefix)).toBe(true);
    expect(matches(key)).toBe(expected);
  });

  it('tells one object from many, and places the hidden prefix beside the output', () => {
    expect(isManyObjects('s3://b/p/in.csv')).toBe(false);
    expect(isManyObjects('s3://b/p/')).toBe(true);
    expect(isManyObjects('s3://b')).toBe(true);
    expect(isManyObjects('s3://b/p/*.csv')).toBe(true);
    expect(hiddenPrefixOf(parseS3Uri('s3://b/p/results.parquet'))).toBe('p/.run-batch/results.parquet/');
    expect(hiddenPrefixOf(parseS3Uri('s3://b/results.csv'))).toBe('.run-batch/results.csv/');
    expect(() => parseS3Uri('s3:///k')).toThrow(/not an S3 location/);
  });

  it('skips the hidden prefix and Hadoop markers', () => {
    expect(isHiddenKey('p/.run-batch/r.csv/segments/000001.jsonl')).toBe(true);
    expect(isHiddenKey('.run-batch/r.csv/lock.json')).toBe(true);
    expect(isHiddenKey('p/_SUCCESS')).toBe(true);
    expect(isHiddenKey('p/.part-1.csv.crc')).toBe(true);
    expect(isHiddenKey('p/part-1.csv')).toBe(false);
  });
});
