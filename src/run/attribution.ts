/** What a run's summary and rows say about who pays: the inference profile and the tags. */
import type { ResolvedProfile } from '../bedrock/inference-profile-arn.js';
import { type PriceTable, priceOf } from '../cost/table.js';
import { RunBatchError } from '../errors.js';
import type { JobSpec } from '../job/spec.js';
import type { RunDeps } from './deps.js';
import type { Prepared } from './prepare.js';
import { profileLine } from './profile-line.js';
import type { RunSummary } from './summary.js';

/**
 * Cost attribution (docs/attribution.md): a resolved inference profile prices as its model (an
 * alias in the price table, so the sink, the budget and every later price agree), and every row
 * carries the profile's tags (`profile_tags`) and the run's --tag pairs (`request_tags`).
 */
export function attribute(
  spec: JobSpec,
  prices: PriceTable,
  output: Prepared,
  profile: ResolvedProfile | undefined,
  deps: RunDeps,
): void {
  const constants: Record<string, string> = {};
  if (profile) {
    prices.aliases = { ...prices.aliases, [spec.model]: profile.pricedAs };
    if (spec.maxCost !== undefined && !priceOf(prices, spec.model))
      throw new RunBatchError(
        'USAGE',
        `--max-cost needs a price for every model, and "${profile.pricedAs}" (behind ${spec.model}) has none (add it with --pricing FILE)`,
      );
    constants.profile_tags = JSON.stringify(profile.tags);
    deps.onInfo?.(profileLine(profile));
  }
  if (Object.keys(spec.tags ?? {}).length > 0) constants.request_tags = JSON.stringify(spec.tags);
  if (Object.keys(constants).length > 0) output.layout.constants = constants;
}

export function profileSummary(profile: ResolvedProfile): NonNullable<RunSummary['profile']> {
  const { arn, type, pricedAs, tags } = profile;
  return { arn, type, ...(profile.name === undefined ? {} : { name: profile.name }), pricedAs, tags };
}
