/**
 * What run-batch knows of an inference profile without asking: whether `-m` is a profile's ARN,
 * and the model id a resolved profile's calls are priced as (the pure half of
 * inference-profile.ts, which asks the control plane; kept apart so a run without a profile never
 * loads @aws-sdk/client-bedrock).
 *
 * Pricing: a call is priced as the model behind the profile, never by the profile's id, with the
 * routing its `models` list implies: a foundation-model ARN without a region (a `global.`
 * profile's) prices as `global.<model>`; several regions of one geography (a `us.`, `eu.`,
 * `apac.`, `jp.`, `au.` profile's) as `<geo>.<model>`, which pays the regional premium; one region
 * as the base id, in-region (which pays it too). A system profile prices as its own id.
 */
const PROFILE_ARN =
  /^arn:aws(?:-[a-z-]+)?:bedrock:[a-z0-9-]*:\d{0,12}:(application-inference-profile|inference-profile)\/[a-zA-Z0-9:.-]+$/;

/** An inference profile's ARN (application or system-defined), which run-batch resolves. */
export function isProfileArn(model: string): boolean {
  return PROFILE_ARN.test(model);
}

export interface ResolvedProfile {
  arn: string;
  type: string;
  name?: string;
  /** The model ARNs GetInferenceProfile listed. */
  models: string[];
  /** The model id its calls are priced as (`us.anthropic...`, `global.amazon...`, a base id). */
  pricedAs: string;
  /** The profile's tags (empty for a system-defined profile, which has none). */
  tags: Record<string, string>;
}

/** `us-east-1` -> `us`: the geography prefix of a region, for a profile spanning several. */
function geographyOf(regions: string[]): string {
  const all = (test: (r: string) => boolean) => regions.every(test);
  if (all((r) => r.startsWith('us-gov-'))) return 'us-gov';
  if (all((r) => r.startsWith('us-'))) return 'us';
  if (all((r) => r.startsWith('eu-'))) return 'eu';
  if (all((r) => r.startsWith('ca-'))) return 'ca';
  if (all((r) => r === 'ap-northeast-1' || r === 'ap-northeast-3')) return 'jp';
  if (all((r) => r === 'ap-southeast-2' || r === 'ap-southeast-4')) return 'au';
  if (all((r) => r.startsWith('ap-'))) return 'apac';
  // Regions of several geographies: any commercial region, as a global profile routes.
  return 'global';
}

/** The model id a profile's calls are priced as, from its type, id and model ARNs. */
export function pricedModel(type: string, id: string, models: string[]): string {
  if (type === 'SYSTEM_DEFINED') return id;
  const parsed = models
    .map((arn) => /^arn:[^:]+:bedrock:([a-z0-9-]*):[^:]*:foundation-model\/(.+)$/.exec(arn))
    .filter((m): m is RegExpExecArray => m !== null);
  const base = parsed[0]?.[2];
  if (base === undefined) return id;
  const regions = [...new Set(parsed.map((m) => m[1] ?? ''))];
  if (regions.includes('')) return `global.${base}`;
  if (regions.length === 1) return base;
  return `${geographyOf(regions)}.${base}`;
}
