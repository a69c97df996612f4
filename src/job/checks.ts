/**
 * The option checks that need more than a type: the region's shape, the endpoint URL, the
 * template's Mustache syntax. Each throws an OptionValueError, so a job file names its key.
 */
import { templateProblem } from '../input/template.js';
import { holdsSecret, REDACTED } from '../redact.js';
import { fail, OptionValueError, text, textOrFile } from './values.js';

type RawOptions = Record<string, unknown>;

function given(raw: RawOptions, key: string): boolean {
  return raw[key] !== undefined && raw[key] !== null;
}

// us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5, eusc-de-east-1: letters, dashes, a number.
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

export function region(raw: RawOptions, env: NodeJS.ProcessEnv): string {
  if (given(raw, 'region')) {
    const value = text('region', raw.region);
    return REGION.test(value) ? value : fail('region', 'an AWS region such as us-east-1', value);
  }
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv === undefined || fromEnv === '') return 'us-east-1';
  if (!REGION.test(fromEnv)) {
    const name = env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
    throw new OptionValueError(
      'region',
      `(from ${name}) must be an AWS region such as us-east-1, got "${fromEnv}"`,
    );
  }
  return fromEnv;
}

/** The template text, checked for Mustache syntax here so a typo is exit 2 naming it. */
export function checkedTemplate(value: unknown, cwd: string): string {
  const source = textOrFile('template', value, cwd);
  const problem = templateProblem(source);
  if (problem !== undefined) throw new OptionValueError('template', `${JSON.stringify(value)}: ${problem}`);
  return source;
}

export function endpointUrl(value: unknown): string {
  const raw = text('endpoint', value);
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw;
  } catch {
    // fall through to the error below
  }
  return fail('endpoint', 'an http:// or https:// URL', raw);
}

/** A model id; a credential pasted in its place is refused without being quoted back. */
export function modelId(value: unknown, env: NodeJS.ProcessEnv): string {
  const id = text('model', value);
  if (holdsSecret(id, env))
    fail('model', 'a model id, inference profile id or ARN, not a credential', REDACTED);
  return id;
}
