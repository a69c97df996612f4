/**
 * The checks a row must pass, beyond the input's own, before anything is sent: settings its model
 * cannot take through the chosen API, a family InvokeModel has no body for, and a price when
 * --max-cost needs one. `run`, `estimate` and batch mode all apply these same checks, so they refuse
 * the same rows with the same messages.
 */

import { invokeProblem, unsupportedSetting } from '../bedrock/families/index.js';
import { type PriceTable, priceOf } from '../cost/table.js';
import type { JobSpec } from '../job/spec.js';
import type { PromptRequest } from '../types.js';

/** A check over one request; returns the problem, or undefined when the row may be sent. */
export type RequestCheck = (request: PromptRequest) => string | undefined;

export function rowChecks(spec: JobSpec, prices: PriceTable): RequestCheck {
  const checks: RequestCheck[] = [(request) => unsupportedSetting(request, spec.api)];
  if (spec.api === 'invoke') checks.push(invokeProblem);
  if (spec.maxCost !== undefined) {
    checks.push((request) =>
      priceOf(prices, request.model)
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
