/**
 * How `--json-schema` goes on the wire (reference/bedrock-wire.md §10.2). Converse: native
 * structured output (`outputConfig.textFormat`, the schema as a string) on the models that have it,
 * else one forced tool (`toolChoice.tool`) whose `inputSchema.json` is the schema. InvokeModel: the
 * family's own form, Anthropic `output_config.format` or `tools` + `tool_choice`, Nova's
 * `toolConfig`; other families have none and are refused before anything is sent.
 * Which to use is decided once per model (`planAnswer`) and carried on each request.
 */
import type { Api } from '../bedrock/call.js';
import { baseModelId, type Family, familyOf } from '../bedrock/models.js';
import { type AnswerSchema, nativeProblems } from './schema.js';

export type JsonMode = 'auto' | 'native' | 'tool';
export type Wire = 'native' | 'tool';

export interface AnswerPlan {
  wire: Wire;
  schema: AnswerSchema;
  /** Bad answers retried before the row is an error row. */
  retries: number;
  /** The most max_tokens a truncation retry may ask for: the model's output limit. */
  maxTokensLimit: number;
}

/** The name of the forced tool; Bedrock's ToolName pattern is `[a-zA-Z0-9_-]+`. */
export const ANSWER_TOOL = 'answer';
const TOOL_DESCRIPTION = 'Give the answer. Its input is the answer, in the required structure.';

/**
 * Models with native structured output (launch list, Feb 2026; not Claude 3.x). One table, so
 * `--json-mode auto` and the up-front checks agree. Open-weight models are said to have it too,
 * per model and unverified, so they are left to the forced tool until one is confirmed.
 */
const NATIVE_MODELS = [/^anthropic\.claude-(haiku|sonnet|opus)-4-[5-9]/];

/** Families whose Converse honours `toolChoice.tool` (Bedrock: "Anthropic Claude and Amazon Nova"). */
const FORCED_TOOL_FAMILIES = new Set<Family>(['anthropic', 'nova']);

/** Output-token limits (model cards), for doubling max_tokens after a truncation. */
const OUTPUT_LIMITS: Array<[RegExp, number]> = [
  [/^anthropic\.claude-opus-4-6/, 128_000],
  [/^anthropic\.claude-(haiku|sonnet|opus)-4-[5-9]/, 64_000],
  [/^anthropic\.claude-(sonnet-4|3-7)/, 64_000],
  [/^anthropic\.claude-opus-4/, 32_000],
  [/^anthropic\./, 8_192],
  [/^amazon\.nova-premier/, 32_000],
  [/^amazon\.nova/, 10_000],
];
const DEFAULT_OUTPUT_LIMIT = 8_192;

export function hasNativeOutput(model: string): boolean {
  const id = baseModelId(model);
  return NATIVE_MODELS.some((re) => re.test(id));
}

export function outputLimit(model: string): number {
  const id = baseModelId(model);
  return OUTPUT_LIMITS.find(([re]) => re.test(id))?.[1] ?? DEFAULT_OUTPUT_LIMIT;
}

export type Decision = { wire: Wire; warning?: string } | { problem: string };

/** Which wire a model gets for the schema, or why it cannot take one (an input error up front). */
export function chooseWire(model: string, api: Api, mode: JsonMode, schema: AnswerSchema): Decision {
  const family = familyOf(model);
  const native = hasNativeOutput(model);
  const tool =
    api === 'converse' ? FORCED_TOOL_FAMILIES.has(family) : family === 'anthropic' || family === 'nova';
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

/** Converse / ConverseStream members that ask for the answer. */
export function converseAnswerFields(plan: AnswerPlan): Record<string, unknown> {
  if (plan.wire === 'native') {
    return {
      outputConfig: {
        textFormat: {
          type: 'json_schema',
          structure: { jsonSchema: { schema: plan.schema.text, name: ANSWER_TOOL } },
        },
      },
    };
  }
  return {
    toolConfig: {
      tools: [
        {
          toolSpec: {
            name: ANSWER_TOOL,
            description: TOOL_DESCRIPTION,
            inputSchema: { json: plan.schema.schema },
          },
        },
      ],
      toolChoice: { tool: { name: ANSWER_TOOL } },
    },
  };
}

/** InvokeModel body members that ask for the answer, per family (only anthropic and nova reach here). */
export function invokeAnswerFields(plan: AnswerPlan, family: Family): Record<string, unknown> {
  if (family === 'anthropic') {
    if (plan.wire === 'native')
      return { output_config: { format: { type: 'json_schema', schema: plan.schema.schema } } };
    return {
      tools: [{ name: ANSWER_TOOL, description: TOOL_DESCRIPTION, input_schema: plan.schema.schema }],
      tool_choice: { type: 'tool', name: ANSWER_TOOL },
    };
  }
  return converseAnswerFields({ ...plan, wire: 'tool' });
}
