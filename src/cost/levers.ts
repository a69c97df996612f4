/**
 * The cost levers' side of a run that is not pricing: which extra result fields a job writes
 * (`service_tier` when a tier was asked for, `cache_write_1h_tokens` with `--cache-system`, the
 * `guardrail_*` fields with `--guardrail`), and
 * the warnings `--cache-system` owes the user before anything is sent: a system prompt shorter
 * than the model's minimum for a cache point is billed as plain input, every time, so it is said
 * once per model instead of being a silent no-op.
 */
import { isProfileArn } from '../bedrock/inference-profile-arn.js';
import { cacheMinimum } from '../bedrock/models.js';
import { estimateTokens } from '../input/tokens.js';
import type { JobSpec } from '../job/spec.js';
import type { PromptRequest } from '../types.js';
import { grouped } from './money.js';

/** The cost levers' result fields, in the order they are written (the guardrail's last). */
export const LEVER_FIELDS = [
  'service_tier',
  'cache_write_1h_tokens',
  'guardrail_action',
  'guardrail_trace',
  'guardrail_usd',
  'profile_tags',
  'request_tags',
] as const;

export function leverFields(
  spec: Pick<JobSpec, 'serviceTier' | 'cacheSystem'> &
    Partial<Pick<JobSpec, 'guardrail' | 'guardrailTrace' | 'model' | 'tags'>> & {
      batch?: Pick<JobSpec['batch'], 'mode' | 'cancel'>;
    },
  columns: readonly string[],
): string[] {
  const fields: string[] = [];
  // Batch mode writes service_tier "batch" on the rows Bedrock Batch Inference answered.
  const batch = spec.batch !== undefined && (spec.batch.mode !== 'ondemand' || spec.batch.cancel);
  if (spec.serviceTier !== undefined || columns.includes('service_tier') || batch)
    fields.push('service_tier');
  if (spec.cacheSystem !== undefined) fields.push('cache_write_1h_tokens');
  // --guardrail: what it did and what it cost; its trace only when asked for.
  if (spec.guardrail !== undefined) {
    fields.push('guardrail_action');
    if (spec.guardrailTrace !== undefined && spec.guardrailTrace !== 'disabled')
      fields.push('guardrail_trace');
    fields.push('guardrail_usd');
  }
  // Attribution (docs/attribution.md): an inference profile's tags, and the run's --tag pairs.
  if (spec.model !== undefined && isProfileArn(spec.model)) fields.push('profile_tags');
  if (spec.tags !== undefined && Object.keys(spec.tags).length > 0) fields.push('request_tags');
  return fields;
}

/** Sees every request once (the input check) and warns at most once per model and cause. */
export function cacheWarnings(
  cacheSystem: '5m' | '1h' | undefined,
  onWarning: ((message: string) => void) | undefined,
): (request: PromptRequest) => void {
  const said = new Set<string>();
  const once = (key: string, message: string) => {
    if (said.has(key)) return;
    said.add(key);
    onWarning?.(message);
  };
  return (request) => {
    if (cacheSystem === undefined || request.nativeBody !== undefined) return;
    if (request.system === undefined) {
      once('no-system', '--cache-system: some rows have no system prompt, so they have nothing to cache');
      return;
    }
    const minimum = cacheMinimum(request.model);
    if (minimum === undefined) return;
    const tokens = estimateTokens(request.system);
    if (tokens < minimum) {
      once(
        `short\u0000${request.model}`,
        `--cache-system: the system prompt (about ${grouped(tokens)} tokens, line ${request.line}) is shorter than the ${grouped(minimum)} tokens "${request.model}" needs before a cache point; Bedrock ignores the cache point and bills it as plain input`,
      );
    }
  };
}
