/**
 * Which wire a model gets for `--json-schema`, decided once per model before anything is sent:
 * native structured output on the models that have it (one table), else one forced tool on the
 * families that honour `toolChoice.tool`; a model with neither, or a schema native mode refuses
 * under `--json-mode native`, is a problem reported up front. Also the output limits a truncation
 * retry doubles max_tokens up to.
 */
import { forcesTool } from '../bedrock/families/index.js';
import { baseModelId, modelFacts } from '../bedrock/models.js';
import type { JsonMode } from '../job/answer-options.js';
import { type AnswerSchema, nativeProblems } from '../job/json-schema.js';

export type Wire = 'native' | 'tool';

/**
 * Models with native structured output (launch list, Feb 2026; not Claude 3.x). One table, so
 * `--json-mode auto` and the up-front checks agree. Open-weight models are said to have it too,
 * per model and unverified, so they are left to the forced tool until one is confirmed.
 */
const NATIVE_MODELS = [/^anthropic\.claude-(haiku|sonnet|opus)-4-[5-9]/];

/** When the model table does not know a model: the smallest limit of the current families. */
const DEFAULT_OUTPUT_LIMIT = 8_192;

export function hasNativeOutput(model: string): boolean {
  const id = baseModelId(model);
  return NATIVE_MODELS.some((re) => re.test(id));
}

/** The model's output-token limit, from the one model table, for doubling max_tokens after a truncation. */
export function outputLimit(model: string): number {
  return modelFacts(model)?.maxOutput ?? DEFAULT_OUTPUT_LIMIT;
}

export type Decision = { wire: Wire; warning?: string } | { problem: string };

/** Which wire a model gets for the schema, or why it cannot take one (an input error up front). */
export function chooseWire(
  model: string,
  api: 'converse' | 'invoke',
  mode: JsonMode,
  schema: AnswerSchema,
): Decision {
  const native = hasNativeOutput(model);
  // InvokeModel: Anthropic's tools and Nova's toolConfig; no other family's body has a forced tool.
  const tool = forcesTool(model);
  const refused = nativeProblems(schema.schema);
  if (mode === 'native' || (mode === 'auto' && native && refused.length === 0)) {
    if (!native)
      return {
        problem: `--json-mode native: "${model}" has no native structured output; use --json-mode tool or auto`,
      };
    if (refused.length > 0)
      return {
        problem: `--json-mode native: ${schema.label} uses what structured output refuses (${refused.slice(0, 3).join('; ')}); fix the schema or use --json-mode tool`,
      };
    return { wire: 'native' };
  }
  if (!tool) {
    const how = api === 'invoke' ? 'InvokeModel body' : 'forced tool choice';
    return {
      problem: `--json-schema: "${model}" has neither native structured output nor a ${how}; use an Anthropic or Nova model${api === 'invoke' ? ', or --api converse' : ''}`,
    };
  }
  // auto on a native model whose schema native mode would refuse: the tool takes any schema.
  if (mode === 'auto' && native)
    return {
      wire: 'tool',
      warning: `${schema.label}: sent as a forced tool, not native structured output, because ${refused[0]}`,
    };
  return { wire: 'tool' };
}
