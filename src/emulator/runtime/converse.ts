/**
 * Converse (and ConverseStream's request side): member validation with Bedrock's wording, the
 * per-model rules (stop sequences, context window, additional fields per family, structured
 * output, service tier, Claude's sampling and thinking rules), reduction to a Generation, and the
 * Converse response body.
 */

import { canonicalJson, type Generation, type Planned } from '../behaviour/generation.js';
import type { ModelInfo } from '../catalogue/catalogue.js';
import { hasFeature } from '../catalogue/catalogue.js';
import { converseLatency, converseTier } from '../catalogue/tiers.js';
import { EmulatedError } from '../wire/exceptions.js';
import { isObject, parseJson, Violations } from '../wire/validate.js';
import { checkClaude } from './claude.js';
import { converseMembers } from './converse-checks.js';
import { walkPrompt } from './converse-content.js';
import { additionalFields } from './response-fields.js';

/** The native keys each family takes through `additionalModelRequestFields`. */
const ADDITIONAL: Record<ModelInfo['family'], string[]> = {
  anthropic: ['top_k', 'thinking', 'anthropic_beta', 'output_config'],
  nova: ['inferenceConfig', 'reasoningConfig'],
  mistral: ['top_k'],
  llama: [],
  titan: [],
};

export const TOO_LONG = 'Input is too long for requested model.';

export function parseConverse(body: Buffer, model: ModelInfo): Generation {
  return converseGeneration(parseJson(body), model);
}

function fail(message: string): never {
  throw new EmulatedError('ValidationException', message);
}

/** A parsed Converse body (also CountTokens' `input.converse`) validated and reduced. */
export function converseGeneration(request: unknown, model: ModelInfo): Generation {
  if (!isObject(request)) throw new EmulatedError('ValidationException');
  const members = converseMembers(request, model); // content, requestMetadata, response field paths
  const v = new Violations();
  const { messages, system, inferenceConfig, additionalModelRequestFields: extra } = request;
  if (messages === undefined || messages === null) v.add('messages', null, 'Member must not be null');
  else if (!Array.isArray(messages)) v.add('messages', messages, 'Member must be a list');
  if (system !== undefined && !Array.isArray(system)) v.add('system', system, 'Member must be a list');
  if (inferenceConfig !== undefined && !isObject(inferenceConfig))
    v.add('inferenceConfig', inferenceConfig, 'Member must be a structure');
  const config = isObject(inferenceConfig) ? inferenceConfig : {};
  v.number('inferenceConfig.maxTokens', config.maxTokens, 1, Number.MAX_SAFE_INTEGER, true);
  v.number('inferenceConfig.temperature', config.temperature, 0, 1);
  v.number('inferenceConfig.topP', config.topP, 0, 1);
  const stops = config.stopSequences;
  if (stops !== undefined && (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string' || s === '')))
    v.add(
      'inferenceConfig.stopSequences',
      stops,
      'Member must be a list of strings of length greater than or equal to 1',
    );
  else if (Array.isArray(stops) && stops.length > 2500)
    v.add('inferenceConfig.stopSequences', stops, 'Member must have length less than or equal to 2500');
  if (extra !== undefined && !isObject(extra))
    v.add('additionalModelRequestFields', extra, 'Member must be a structure');
  v.throwIfAny();

  const fields = isObject(extra) ? extra : {};
  for (const key of Object.keys(fields))
    if (!ADDITIONAL[model.family].includes(key))
      fail(
        `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`,
      );
  const stopList = (stops as string[] | undefined) ?? [];
  if (model.maxStopSequences !== undefined && stopList.length > model.maxStopSequences)
    fail(
      `The model supports at most ${model.maxStopSequences} stop sequences; the request has ${stopList.length}.`,
    );
  const prompt = walkPrompt(
    model,
    messages as unknown[],
    system as unknown[] | undefined,
    request.toolConfig,
  );
  if (prompt.prefix.tokens > model.contextWindow) fail(TOO_LONG);

  const given = config.maxTokens as number | undefined;
  const maxTokens = given ?? Math.min(4096, model.maxOutputTokens);
  if (maxTokens > model.maxOutputTokens) {
    fail(
      `The maximum tokens you requested exceeds the model limit of ${model.maxOutputTokens}. Try again with a maximum tokens value that is lower than ${model.maxOutputTokens}.`,
    );
  }
  const thinkingBudget =
    model.family === 'anthropic'
      ? checkClaude(model, fields.thinking, {
          maxTokens,
          temperature: config.temperature,
          topP: config.topP,
          topK: fields.top_k,
          toolChoice: prompt.toolChoice,
        })
      : undefined;
  const outputSchema = structuredOutput(model, request.outputConfig, fields.output_config);
  const serviceTier = converseTier(model, request.serviceTier);
  const latency = converseLatency(model, request.performanceConfig);
  return {
    model,
    texts: prompt.texts,
    maxTokens,
    ...(given === undefined ? { maxTokensUnset: true as const } : {}),
    stopSequences: stopList,
    inputTokens: prompt.prefix.tokens,
    tools: prompt.tools,
    ...(prompt.toolChoice ? { toolChoice: prompt.toolChoice } : {}),
    lastUserText: prompt.lastUserText,
    afterToolResult: prompt.afterToolResult,
    ...(outputSchema === undefined ? {} : { outputSchema }),
    ...(thinkingBudget === undefined ? {} : { thinkingBudget }),
    cachePoints: prompt.prefix.points,
    ...(serviceTier ? { serviceTier } : {}),
    ...(latency ? { latency } : {}),
    ...members,
    // Limits and stop sequences only cut a reply short, as on a real model: they are not in the seed.
    canonical: canonicalJson({
      messages,
      system,
      temperature: config.temperature,
      topP: config.topP,
      additional: extra,
      toolConfig: request.toolConfig,
      outputConfig: request.outputConfig,
    }),
  };
}

/**
 * `outputConfig.textFormat` (the schema as a JSON string), or for Claude the native
 * `output_config.format` passed through additionalModelRequestFields (the AI SDK's way).
 */
function structuredOutput(model: ModelInfo, outputConfig: unknown, native: unknown): unknown {
  let schema: unknown;
  if (outputConfig !== undefined) {
    const v = new Violations();
    const format = isObject(outputConfig) ? outputConfig.textFormat : undefined;
    if (!isObject(format)) return undefined;
    if (format.type !== 'json_schema')
      v.add('outputConfig.textFormat.type', format.type, 'Member must satisfy enum value set: [json_schema]');
    const json =
      isObject(format.structure) && isObject(format.structure.jsonSchema) ? format.structure.jsonSchema : {};
    if (typeof json.schema !== 'string')
      v.add('outputConfig.textFormat.structure.jsonSchema.schema', json.schema, 'Member must not be null');
    v.throwIfAny();
    if (!hasFeature(model, 'structured-output'))
      fail(
        "This model doesn't support the outputConfig.textFormat field. Remove outputConfig.textFormat and try again.",
      );
    try {
      schema = JSON.parse(json.schema as string);
    } catch {
      fail('The JSON schema in outputConfig.textFormat.structure.jsonSchema.schema is not valid JSON.');
    }
  } else if (isObject(native) && native.format !== undefined) {
    if (!hasFeature(model, 'structured-output')) fail('output_config.format: Extra inputs are not permitted');
    schema = isObject(native.format) ? native.format.schema : undefined;
  } else {
    return undefined;
  }
  checkSchema(schema, model);
  return schema;
}

/** What the Claude models refuse in a schema: a non-object, or an object open to extra keys. */
export function checkSchema(schema: unknown, model: ModelInfo): void {
  if (!isObject(schema)) fail('The JSON schema for structured output must be a JSON object.');
  if (model.family !== 'anthropic') return;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (!isObject(node)) return;
    if ((node.type === 'object' || isObject(node.properties)) && node.additionalProperties !== false)
      fail("For 'object' type, 'additionalProperties' must be explicitly set to false");
    for (const value of Object.values(node)) walk(value);
  };
  walk(schema);
}

/** The Converse response; `latencyMs` is the time the call took, as Bedrock measures it. */
export function converseBody(planned: Planned, latencyMs: number): Record<string, unknown> {
  const content: unknown[] = [];
  if (planned.thinking)
    content.push({
      reasoningContent: {
        reasoningText: { text: planned.thinking.text, signature: planned.thinking.signature },
      },
    });
  if (planned.reply.text !== '' || !planned.tool) content.push({ text: planned.reply.text });
  if (planned.tool) {
    const input = planned.tool.complete ? planned.tool.input : {};
    content.push({
      toolUse: { toolUseId: `tooluse_${planned.tool.idSuffix}`, name: planned.tool.name, input },
    });
  }
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: planned.stopReason,
    usage: converseUsage(planned),
    metrics: { latencyMs },
    ...additionalFields(planned),
    ...echoes(planned),
  };
}

export function converseUsage(planned: Planned): Record<string, unknown> {
  const { inputTokens, outputTokens, cache } = planned;
  const caching = cache.details.length > 0;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens + cache.read + cache.write,
    ...(caching
      ? { cacheReadInputTokens: cache.read, cacheWriteInputTokens: cache.write, cacheDetails: cache.details }
      : {}),
  };
}

/** serviceTier and performanceConfig, echoed when the call asked for them. */
export function echoes(planned: Planned): Record<string, unknown> {
  return {
    ...(planned.latency ? { performanceConfig: { latency: planned.latency } } : {}),
    ...(planned.serviceTier ? { serviceTier: { type: planned.serviceTier } } : {}),
  };
}
