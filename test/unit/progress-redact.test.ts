import { describe, expect, it } from 'vitest';
import { REDACTED, redactor } from '../../src/redact.js';

const env = {
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH+MEUCIQD=',
  AWS_BEARER_TOKEN_BEDROCK:
    'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  PATH: '/usr/bin',
};
const redact = redactor(env);

describe('redactor', () => {
  it.each([
    [`failed: secret ${env.AWS_SECRET_ACCESS_KEY} rejected`, `failed: secret ${REDACTED} rejected`],
    [`token=${env.AWS_SESSION_TOKEN}`, `token=${REDACTED}`],
    [`token=${encodeURIComponent(env.AWS_SESSION_TOKEN)}&x=1`, `token=${REDACTED}&x=1`],
    [
      `--max-tokens must be a whole number, got "${env.AWS_BEARER_TOKEN_BEDROCK}"`,
      `--max-tokens must be a whole number, got "${REDACTED}"`,
    ],
    [`${env.AWS_SECRET_ACCESS_KEY}${env.AWS_SECRET_ACCESS_KEY}`, `${REDACTED}${REDACTED}`],
    // secret-shaped text that is not in this environment
    ['Authorization: Bearer abcdefgh12345678', `Authorization: Bearer ${REDACTED}`],
    ['key bedrock-api-key-QWxhZGRpbjpvcGVuIHNlc2FtZQ== expired', `key ${REDACTED} expired`],
    ['ABSKQmVkcm9ja0FQSUtleS1hYmNkZWZnaGlqa2xtbm9w is not valid', `${REDACTED} is not valid`],
    ['aws_secret_access_key = abc/def+ghi', `aws_secret_access_key = ${REDACTED}`],
    // not secrets: the access key id names the key, it does not prove it
    ['key AKIAIOSFODNN7EXAMPLE: no access', 'key AKIAIOSFODNN7EXAMPLE: no access'],
    ['rows 25 total: 25 ok', 'rows 25 total: 25 ok'],
    ['Bearer', 'Bearer'],
  ])('%s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('leaves short values alone rather than blank out common words', () => {
    const weak = redactor({ AWS_SECRET_ACCESS_KEY: 'test', AWS_SESSION_TOKEN: '' });
    expect(weak('the test passed')).toBe('the test passed');
  });

  it('redacts nothing without secrets in the environment', () => {
    expect(redactor({})('run-batch: warning: no price')).toBe('run-batch: warning: no price');
  });
});
