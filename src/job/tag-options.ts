/**
 * `--tag key=value` (repeatable; a mapping in a job file) and `--no-request-metadata`: what every
 * call is stamped with as Bedrock request metadata (bedrock/request-metadata.ts). Tags are checked
 * here, once, against Bedrock's rules, so a bad one is exit 2 naming it before anything is sent.
 * Request metadata is never part of a row's fingerprint, the answer ledger's key, or a batch job's
 * identity: changing a tag re-pays nothing.
 */
import type { OptionDef } from './option-def.js';
import type { RunKey } from './spec.js';
import { OptionValueError } from './values.js';

const BOTH = ['run', 'estimate'] as const;

/**
 * botocore `bedrock-runtime` RequestMetadata: 1 to 16 pairs; keys 1-256, values 0-256 characters
 * of `[a-zA-Z0-9\s:_@$#=/+,-.]` (Java's `\s`: ASCII whitespace; `,-.` is the range `,` `-` `.`).
 */
const ALLOWED = /^[a-zA-Z0-9 \t\n\v\f\r:_@$#=/+,\-.]$/;
export const MAX_PAIRS = 16;
const MAX_KEY = 256;
const MAX_VALUE = 256;
/** Keys run-batch fills itself on every call (unless --no-request-metadata). */
export const AUTOMATIC_KEYS = ['run_id', 'row_id'] as const;

/** Why a `--tag` pair cannot be sent, or undefined when Bedrock takes it. */
export function tagProblem(key: string, value: string): string | undefined {
  if (key.length < 1) return 'has an empty key';
  if (key.length > MAX_KEY) return `key is ${key.length} characters long; Bedrock takes at most ${MAX_KEY}`;
  if (value.length > MAX_VALUE)
    return `value is ${value.length} characters long; Bedrock takes at most ${MAX_VALUE}`;
  const bad = [...`${key}${value}`].find((c) => !ALLOWED.test(c));
  if (bad !== undefined)
    return `holds ${JSON.stringify(bad)}, which Bedrock refuses: keys and values take letters, digits, spaces and : _ @ $ # = / + , - . only`;
  if ((AUTOMATIC_KEYS as readonly string[]).includes(key))
    return `key "${key}" is filled by run-batch itself on every call (turn that off with --no-request-metadata)`;
  return undefined;
}

/** `key=value` strings (flags) or a mapping (a job file) -> the checked pairs, in order given. */
export function parseTags(flag: string, value: unknown): Record<string, string> {
  const pairs: Array<[string, string]> = [];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (v !== null && typeof v === 'object')
        throw new OptionValueError(
          flag,
          `${key} must be a text value, got ${Array.isArray(v) ? 'a list' : 'a mapping'}`,
        );
      pairs.push([key, v === null || v === undefined ? '' : String(v)]);
    }
  } else {
    for (const item of Array.isArray(value) ? value : [value]) {
      const raw = String(item);
      const at = raw.indexOf('=');
      if (at < 0) throw new OptionValueError(flag, `must be key=value, got ${JSON.stringify(raw)}`);
      pairs.push([raw.slice(0, at), raw.slice(at + 1)]);
    }
  }
  const tags: Record<string, string> = {};
  for (const [key, v] of pairs) {
    const problem = tagProblem(key, v);
    if (problem) throw new OptionValueError(flag, `${JSON.stringify(`${key}=${v}`)} ${problem}`);
    if (key in tags && tags[key] !== v)
      throw new OptionValueError(
        flag,
        `gives "${key}" twice (${JSON.stringify(tags[key])} and ${JSON.stringify(v)})`,
      );
    tags[key] = v;
  }
  // Bedrock takes 16 pairs a call, and run_id and row_id take two of them.
  const room = MAX_PAIRS - AUTOMATIC_KEYS.length;
  if (Object.keys(tags).length > room)
    throw new OptionValueError(
      flag,
      `gives ${Object.keys(tags).length} tags; Bedrock takes ${MAX_PAIRS} request-metadata pairs a call, ${AUTOMATIC_KEYS.length} of them run_id and row_id: at most ${room}`,
    );
  return tags;
}

export const TAG_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'tag',
    key: 'tags',
    type: 'list',
    parse: parseTags,
    default: [],
    group: 'Model',
    commands: BOTH,
    describe:
      'Stamp every call with this key=value (repeatable; a mapping in a job file) as Bedrock request metadata, for invocation logs and `report --by tag:KEY`; never part of the answer ledger key',
  },
  {
    flag: 'request-metadata',
    key: 'requestMetadata',
    type: 'boolean',
    default: true,
    group: 'Model',
    commands: BOTH,
    describe:
      'Send run_id and row_id as request metadata with every call (--no-request-metadata: only the --tag pairs)',
  },
];

/** botocore `bedrock` TagKey / TagValue: resource tags are stricter than request metadata. */
const RESOURCE_TAG = /^[a-zA-Z0-9 \t\n\v\f\r._:/=+@-]*$/;

/**
 * The `--tag` pairs a Batch Inference job can carry as its resource tags (keys 1-128, values up to
 * 256 characters, no `$ # ,`), and those it cannot, for a warning: a job refused for a tag would
 * fail all its rows.
 */
export function jobTags(tags: Readonly<Record<string, string>>): {
  tags: Array<{ key: string; value: string }>;
  left: string[];
} {
  const kept: Array<{ key: string; value: string }> = [];
  const left: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (key.length <= 128 && RESOURCE_TAG.test(key) && RESOURCE_TAG.test(value)) kept.push({ key, value });
    else left.push(key);
  }
  return { tags: kept, left };
}
