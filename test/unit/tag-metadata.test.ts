/**
 * --tag's checks (Bedrock's RequestMetadata rules from botocore's bedrock-runtime model), the
 * encoding of row ids Bedrock would refuse, the metadata a call carries, how a resolved inference
 * profile is priced, and the profile cache's hour. Table-style, no server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProfileArn, pricedModel } from '../../src/bedrock/inference-profile-arn.js';
import { PROFILE_TTL_MS, ProfileCache, profileCachePath } from '../../src/bedrock/inference-profile-cache.js';
import { metadataValue, requestMetadataFor } from '../../src/bedrock/request-metadata.js';
import { parseTags } from '../../src/job/tag-options.js';

describe('parseTags', () => {
  it.each([
    [['team=support'], { team: 'support' }],
    [['a=b', 'c='], { a: 'b', c: '' }],
    [['k=v=w'], { k: 'v=w' }],
    [['path=/x/y:z_@$#+,-.'], { path: '/x/y:z_@$#+,-.' }],
    [['with space=two words'], { 'with space': 'two words' }],
    [
      { team: 'support', n: 42 },
      { team: 'support', n: '42' },
    ],
    [['same=1', 'same=1'], { same: '1' }],
  ])('%j -> %j', (given, expected) => {
    expect(parseTags('tag', given)).toEqual(expected);
  });

  it.each([
    [['noequals'], /must be key=value, got "noequals"/],
    [['=v'], /"=v" has an empty key/],
    [['k=a%b'], /holds "%", which Bedrock refuses/],
    [['k=é'], /holds "é"/],
    [['k=a;b'], /holds ";"/],
    [['k=a*b'], /holds "\*"/],
    [[`${'k'.repeat(257)}=v`], /key is 257 characters long; Bedrock takes at most 256/],
    [[`k=${'v'.repeat(257)}`], /value is 257 characters long/],
    [['row_id=x'], /key "row_id" is filled by run-batch itself/],
    [['run_id=x'], /key "run_id"/],
    [['a=1', 'a=2'], /gives "a" twice \("1" and "2"\)/],
    [Array.from({ length: 15 }, (_, i) => `k${i}=v`), /gives 15 tags; Bedrock takes 16 .* at most 14/],
    [{ nested: { a: 1 } }, /nested must be a text value, got a mapping/],
  ])('%j is refused', (given, words) => {
    expect(() => parseTags('tag', given)).toThrow(words);
  });

  it('takes 14 tags, the most that leave room for run_id and row_id', () => {
    expect(
      Object.keys(
        parseTags(
          'tag',
          Array.from({ length: 14 }, (_, i) => `k${i}=v`),
        ),
      ),
    ).toHaveLength(14);
  });
});

describe('metadataValue (row ids)', () => {
  it.each([
    ['r1', 'r1'],
    ['a b:c_d@e$f#g=h/i+j,k-l.m', 'a b:c_d@e$f#g=h/i+j,k-l.m'],
    ['', ''],
    ['ticket #7 (ü)', `b64:${Buffer.from('ticket #7 (ü)').toString('base64url')}`],
    ['50%', 'b64:NTAl'],
    // An id that looks encoded is encoded too, so a decoded value is never ambiguous.
    ['b64:abc', `b64:${Buffer.from('b64:abc').toString('base64url')}`],
  ])('%j -> %j', (id, sent) => {
    expect(metadataValue(id)).toBe(sent);
  });

  it('a long id is its hash; a plain one up to 256 characters is itself', () => {
    expect(metadataValue('x'.repeat(256))).toBe('x'.repeat(256));
    const long = metadataValue('ü'.repeat(200));
    expect(long).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const id of ['x'.repeat(257), 'ü'.repeat(200), '%'.repeat(300)]) {
      const sent = metadataValue(id);
      expect(sent.length).toBeLessThanOrEqual(256);
      expect(sent).toMatch(/^[a-zA-Z0-9\s:_@$#=/+,\-.]*$/);
    }
  });
});

describe('requestMetadataFor', () => {
  it.each([
    [undefined, 'r1', undefined],
    [{ tags: {} }, 'r1', undefined],
    [{ tags: { team: 'a' } }, 'r1', { team: 'a' }],
    [{ tags: {}, runId: 'run-1' }, 'r(1)', { run_id: 'run-1', row_id: 'b64:cigxKQ' }],
    [{ tags: { team: 'a' }, runId: 'run-1' }, 'r1', { team: 'a', run_id: 'run-1', row_id: 'r1' }],
  ])('%j, row %j -> %j', (plan, row, expected) => {
    expect(requestMetadataFor(plan, row)).toEqual(expected);
  });
});

describe('inference profiles', () => {
  const arn = (region: string, model = 'anthropic.claude-haiku-4-5-20251001-v1:0') =>
    `arn:aws:bedrock:${region}::foundation-model/${model}`;

  it.each([
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123', true],
    [
      'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0',
      true,
    ],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', false],
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', false],
  ])('isProfileArn(%s) = %s', (model, expected) => {
    expect(isProfileArn(model)).toBe(expected);
  });

  it.each([
    ['us geography', ['us-east-1', 'us-east-2', 'us-west-2'], 'us.'],
    ['eu geography', ['eu-central-1', 'eu-west-1', 'eu-west-3'], 'eu.'],
    ['apac geography', ['ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2'], 'apac.'],
    ['jp geography', ['ap-northeast-1', 'ap-northeast-3'], 'jp.'],
    ['au geography', ['ap-southeast-2', 'ap-southeast-4'], 'au.'],
    ['global (a region-less ARN)', ['', 'us-east-1', 'us-west-2'], 'global.'],
    ['one region', ['us-east-1'], ''],
  ])('an application profile over the %s prices as %s<model>', (_, regions, prefix) => {
    const models = regions.map((r) => arn(r));
    expect(pricedModel('APPLICATION', 'abc', models)).toBe(
      `${prefix}anthropic.claude-haiku-4-5-20251001-v1:0`,
    );
  });

  it('a system-defined profile prices as its own id; no model ARN leaves the id', () => {
    expect(pricedModel('SYSTEM_DEFINED', 'apac.amazon.nova-lite-v1:0', [arn('ap-northeast-1')])).toBe(
      'apac.amazon.nova-lite-v1:0',
    );
    expect(pricedModel('APPLICATION', 'abc', [])).toBe('abc');
  });
});

describe('ProfileCache', () => {
  const profile = { arn: 'a', type: 'APPLICATION', models: [], pricedAs: 'm', tags: { team: 's' } };

  it('answers within the hour, not after it, and survives a missing or broken file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'profile-cache-')), 'sub', 'cache.json');
    let now = 1_000_000;
    const cache = new ProfileCache(path, () => now);
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', profile);
    expect(new ProfileCache(path, () => now).get('k')).toEqual(profile);
    now += PROFILE_TTL_MS - 1;
    expect(cache.get('k')).toEqual(profile);
    now += 1;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.get('other')).toBeUndefined();
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(profileCachePath({ XDG_CACHE_HOME: '/x' })).toBe('/x/run-batch/inference-profiles.json');
    expect(profileCachePath({ HOME: '/h' })).toBe('/h/.cache/run-batch/inference-profiles.json');
  });
});
