/**
 * Rules the Claude models apply on top of each body's schema, in Anthropic's wording (Bedrock
 * passes its messages through): temperature with top_p on the models that refuse both, and
 * extended thinking (which models have it, its budget, the sampling settings it forbids).
 */

import type { ToolChoice } from '../behaviour/tools.js';
import { hasFeature, type ModelInfo } from '../catalogue/catalogue.js';
import { EmulatedError } from '../wire/exceptions.js';
import { isObject } from '../wire/validate.js';

const DOCS = 'https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

export interface Sampling {
  maxTokens: number;
  temperature?: unknown;
  topP?: unknown;
  topK?: unknown;
  toolChoice?: ToolChoice | undefined;
}

function fail(message: string): never {
  throw new EmulatedError('ValidationException', message);
}

/** Checks the sampling settings and `thinking`; returns the thinking budget when enabled. */
export function checkClaude(model: ModelInfo, thinking: unknown, s: Sampling): number | undefined {
  if (hasFeature(model, 'temperature-or-top-p') && s.temperature !== undefined && s.topP !== undefined)
    fail('`temperature` and `top_p` cannot both be specified for this model. Please use only one.');
  if (thinking === undefined) return undefined;
  if (!hasFeature(model, 'thinking'))
    fail(
      'Malformed input request: #: extraneous key [thinking] is not permitted, please reformat your input and try again.',
    );
  if (
    !isObject(thinking) ||
    (thinking.type !== 'enabled' && thinking.type !== 'disabled' && thinking.type !== 'adaptive')
  )
    fail("thinking: Input tag does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'");
  if (thinking.type === 'disabled') return undefined;
  let budget: number;
  if (thinking.type === 'adaptive') {
    budget = Math.min(s.maxTokens - 1, 4096);
  } else {
    const b = thinking.budget_tokens;
    if (typeof b !== 'number' || !Number.isInteger(b)) fail('thinking.enabled.budget_tokens: Field required');
    if (b < 1024) fail('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (b >= s.maxTokens)
      fail(
        `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${DOCS}#max-tokens-and-context-window-size`,
      );
    budget = b;
  }
  if (s.temperature !== undefined && s.temperature !== 1)
    fail(
      `\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${DOCS}#feature-compatibility`,
    );
  if (s.topK !== undefined)
    fail(
      `\`top_k\` must be unset when thinking is enabled. Please consult our documentation at ${DOCS}#feature-compatibility`,
    );
  if (typeof s.topP === 'number' && s.topP < 0.95)
    fail(
      `\`top_p\` must be greater than or equal to 0.95 or unset when thinking is enabled. Please consult our documentation at ${DOCS}#feature-compatibility`,
    );
  if (s.toolChoice === 'any' || typeof s.toolChoice === 'object')
    fail('Thinking may not be enabled when tool_choice forces tool use.');
  return budget;
}
