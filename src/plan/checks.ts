/**
 * The checks a row must pass, beyond the input's own, before anything is sent: its model's rules
 * (end of life, profile-only ids, service tiers, prompt caching), its model's limits (max_tokens
 * against the output limit, input against the context window: limits.ts), settings its model
 * cannot take through the chosen API, a family InvokeModel has no body for, and a price when
 * --max-cost needs one. `run`, `estimate` and batch mode all apply these same checks, so they refuse
 * the same rows with the same messages.
 */

import { invokeProblem, unsupportedSetting } from '../bedrock/families/index.js';
import { isProfileArn } from '../bedrock/inference-profile-arn.js';
import { modelProblem } from '../bedrock/models.js';
import { cacheWarnings } from '../cost/levers.js';
import { type PriceTable, priceOf } from '../cost/table.js';
import type { JobSpec } from '../job/spec.js';
import type { PromptRequest } from '../types.js';
import { contextCheck, maxTokensFlagProblem, outputLimitProblem } from './limits.js';

/** A check over one request; returns the problem, or undefined when the row may be sent. */
export type RequestCheck = (request: PromptRequest) => string | undefined;

export interface RowCheckOptions {
  /** Input tokens will be counted exactly (`estimate --count-tokens api`): the count decides the window. */
  exactCounts?: boolean;
}

/** The checks for a job's rows; throws (exit 2) when a flag alone dooms every row (--max-tokens). */
export function rowChecks(
  spec: JobSpec,
  prices: PriceTable,
  onWarning?: (message: string) => void,
  options: RowCheckOptions = {},
): RequestCheck {
  const flagProblem = maxTokensFlagProblem(spec);
  if (flagProblem) throw flagProblem;
  // The model's own rules first (end of life, profile-only ids, tiers, caching); then what the
  // --cache-system warnings need to see of every row.
  const warnCache = cacheWarnings(spec.cacheSystem, onWarning);
  const checks: RequestCheck[] = [
    modelProblem,
    outputLimitProblem,
    contextCheck(options.exactCounts === true, onWarning),
    (request) => {
      warnCache(request);
      return undefined;
    },
    (request) => unsupportedSetting(request, spec.api),
  ];
  if (spec.api === 'invoke') checks.push(invokeProblem);
  if (spec.maxCost !== undefined) {
    checks.push((request) =>
      // A profile's ARN is priced once it is resolved, before any row is sent (run/execute.ts).
      priceOf(prices, request.model) || isProfileArn(request.model)
        ? undefined
        : `--max-cost needs a price for every model, and "${request.model}" has none (add it with --pricing FILE)`,
    );
  }
  return (request) => {
    for (const check of checks) {
      const problem = check(request);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}
