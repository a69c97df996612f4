/**
 * How an answer schema goes on the wire, in the shapes every family shares: Converse's native
 * structured output (`outputConfig.textFormat`, the schema as a string) or one forced tool whose
 * input schema is the schema. Families' own native forms are in their codecs.
 */
import type { AnswerPlan } from '../types.js';

type Json = Record<string, unknown>;

/** The name of the forced tool; Bedrock's ToolName pattern is `[a-zA-Z0-9_-]+`. */
export const ANSWER_TOOL = 'answer';
export const TOOL_DESCRIPTION = 'Give the answer. Its input is the answer, in the required structure.';

/** Converse / ConverseStream members that ask for the answer. */
export function converseAnswerFields(plan: AnswerPlan): Json {
  if (plan.wire === 'native') {
    return {
      outputConfig: {
        textFormat: {
          type: 'json_schema',
          structure: { jsonSchema: { schema: plan.schemaText, name: ANSWER_TOOL } },
        },
      },
    };
  }
  return {
    toolConfig: {
      tools: [
        {
          toolSpec: { name: ANSWER_TOOL, description: TOOL_DESCRIPTION, inputSchema: { json: plan.schema } },
        },
      ],
      toolChoice: { tool: { name: ANSWER_TOOL } },
    },
  };
}
