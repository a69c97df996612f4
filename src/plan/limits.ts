/**
 * A row against its model's limits in the client's catalogue (bedrock/model-facts.ts), checked with
 * every other row check before anything is sent: the output it asks for (max_tokens) and the input
 * it carries (the context window). Unknown models are let through: Bedrock decides.
 */
import { bodyOutputLimit } from '../bedrock/families/index.js';
import { modelFacts } from '../bedrock/models.js';
import { RunBatchError } from '../errors.js';
import { estimateRequestTokens } from '../input/tokens.js';
import type { JobSpec } from '../job/spec.js';
import type { PromptRequest } from '../types.js';

/**
 * How far past the context window the local estimate (4 characters a token) must be before a row
 * is refused without an exact count. The estimate errs both ways: CJK text runs near one character
 * a token and code near three, so there it counts too few (which can only let a row through, to a
 * warning or to Bedrock's own refusal); it counts too many only where a tokenizer packs more than 4
 * characters into a token, which English prose does by a few percent and only long runs of spaces
 * or repeated characters do by much. Twice the window leaves room for all but such runs, so a
 * refusal on the estimate alone is a row no real tokenizer fits; between 1x and 2x is a warning.
 */
export const WINDOW_MARGIN = 2;

/** Warnings are for rows someone can look at: the first few are named, the rest counted. */
const MAX_WARNED = 5;

/**
 * `--max-tokens` over the output limit of the run's model (`-m`): every row that names neither its
 * own model nor its own max_tokens would fail at the call, so the flag is refused before any row is
 * read. Rows that name another model are checked by `outputLimitProblem`.
 */
export function maxTokensFlagProblem(spec: JobSpec): RunBatchError | undefined {
  const limit = modelFacts(spec.model)?.maxOutput;
  if (limit === undefined || spec.maxTokens <= limit) return undefined;
  return new RunBatchError(
    'USAGE',
    `--max-tokens ${spec.maxTokens} is over the output limit of model "${spec.model}" (${limit} tokens); use --max-tokens ${limit} or less`,
  );
}

/** A row asking for more output than its model gives: its max_tokens (or its record's body's). */
export function outputLimitProblem(request: PromptRequest): string | undefined {
  const limit = modelFacts(request.model)?.maxOutput;
  if (limit === undefined) return undefined;
  const asked = request.nativeBody ? bodyOutputLimit(request.nativeBody) : request.inference.maxTokens;
  if (asked === undefined || asked <= limit) return undefined;
  return `max_tokens ${asked} (${fromWhere(request)}) is over the output limit of model "${request.model}" (${limit} tokens); use ${limit} or less`;
}

function fromWhere(request: PromptRequest): string {
  if (request.nativeBody) return "the record's modelInput";
  const cell = (request.row as Record<string, unknown>).max_tokens;
  return cell === undefined || cell === null || cell === '' ? '--max-tokens' : 'the max_tokens column';
}

/** A row whose input, counted exactly (CountTokens), is over its model's context window. */
export function contextProblem(request: PromptRequest, inputTokens: number): string | undefined {
  const window = modelFacts(request.model)?.contextWindow;
  if (window === undefined || inputTokens <= window) return undefined;
  return `row "${request.id}" has ${inputTokens} input tokens, over the context window of model "${request.model}" (${window} tokens); shorten it or use a model with a larger window`;
}

/** CountTokens refusing a row as longer than its model takes (Bedrock's ValidationException). */
export function tooLongProblem(
  request: PromptRequest,
  failure: { code: string; message: string },
): string | undefined {
  if (failure.code !== 'ValidationException' || !/too long/i.test(failure.message)) return undefined;
  const window = modelFacts(request.model)?.contextWindow;
  const size = window === undefined ? '' : ` (${window} tokens)`;
  return `row "${request.id}" is over the context window of model "${request.model}"${size}: CountTokens answered "${failure.message}"; shorten it or use a model with a larger window`;
}

/**
 * The context window on the local estimate: refused past WINDOW_MARGIN times the window, a warning
 * (naming the row) past the window itself. With exact counts to come (`estimate --count-tokens
 * api`) it checks nothing here: the count decides, through `contextProblem`.
 */
export function contextCheck(
  exactCounts: boolean,
  onWarning: ((message: string) => void) | undefined,
): (request: PromptRequest) => string | undefined {
  let warned = 0;
  return (request) => {
    if (exactCounts) return undefined;
    const window = modelFacts(request.model)?.contextWindow;
    if (window === undefined) return undefined;
    const estimated = estimateRequestTokens(request);
    if (estimated <= window) return undefined;
    const about = `row "${request.id}" is about ${estimated} input tokens (4 characters a token), over the context window of model "${request.model}" (${window} tokens)`;
    if (estimated > window * WINDOW_MARGIN)
      return `${about} by more than ${WINDOW_MARGIN} times; shorten it or use a model with a larger window`;
    warned++;
    if (warned <= MAX_WARNED)
      onWarning?.(
        `line ${request.line}: ${about}; it may still fit (the estimate is rough): \`run-batch estimate --count-tokens api\` counts it exactly`,
      );
    else if (warned === MAX_WARNED + 1)
      onWarning?.('more rows are estimated over their context window (not listed)');
    return undefined;
  };
}
