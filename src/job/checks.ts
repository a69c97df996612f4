/**
 * The option checks that need more than a type: the region's shape, the endpoint URL, the
 * template's Mustache syntax. Each throws an OptionValueError, so a job file names its key.
 */
import { templateProblem } from '../input/template.js';
import { holdsSecret, REDACTED } from '../redact.js';
import { fail, OptionValueError, text, textOrFile } from './values.js';

// us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5, eusc-de-east-1: letters, dashes, a number.
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

export function region(flag: string, value: unknown): string {
  const name = text(flag, value);
  return REGION.test(name) ? name : fail(flag, 'an AWS region such as us-east-1', name);
}

/** The template text, checked for Mustache syntax here so a typo is exit 2 naming it. */
export function checkedTemplate(flag: string, value: unknown, cwd: string): string {
  const source = textOrFile(flag, value, cwd);
  const problem = templateProblem(source);
  if (problem !== undefined) throw new OptionValueError(flag, `${JSON.stringify(value)}: ${problem}`);
  return source;
}

export function endpointUrl(flag: string, value: unknown): string {
  const raw = text(flag, value);
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw;
  } catch {
    // fall through to the error below
  }
  return fail(flag, 'an http:// or https:// URL', raw);
}

/**
 * A model id; a credential pasted in its place is refused without being quoted back. A job file may
 * hold it as a one-element list. Several models (`-m a,b`) are split into one run each before this
 * check (job/models.ts); one spec holds one model.
 */
export function modelId(flag: string, value: unknown, env: NodeJS.ProcessEnv): string {
  const one = Array.isArray(value) && value.length === 1 ? value[0] : value;
  const several = Array.isArray(one) ? one.map(String) : typeof one === 'string' ? one.split(',') : [];
  if (several.length > 1)
    throw new OptionValueError(
      flag,
      `names one model per spec; several at once (${several.map((m) => m.trim()).join(', ')}) are one spec each: resolveModels, then runModels`,
    );
  const id = text(flag, one);
  if (holdsSecret(id, env)) fail(flag, 'a model id, inference profile id or ARN, not a credential', REDACTED);
  return id;
}
